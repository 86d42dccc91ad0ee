/**
 * The region's configuration (config/region.yaml): its time zone, when staff get their digests, and the deadline and
 * fast-track rules of ПОС. Shared by the classify stage (which decides a message's term) and the workflow (which
 * counts deadlines in the region's calendar days, sends digests and recomputes a term when a category is corrected),
 * so it lives here, below both.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { signalTermsSchema } from './signal-terms.js';

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';
export const DEFAULT_DIGEST_TIMES = ['09:00', '14:00'];

/** Whether the runtime knows this IANA zone (Intl throws a RangeError for one it does not). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Days before a deadline when «N days left» reminders go out: distinct whole days, the earliest first. */
export const reminderDaysSchema = z.array(z.number().int().min(1).max(29)).min(1).max(5).transform((days) => [...new Set(days)].sort((a, b) => b - a));

const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24-hour), e.g. 09:00');

export const regionConfigSchema = z.object({
  region: z.string().min(1),
  timezone: z.string().min(1).default(DEFAULT_TIME_ZONE).refine(isTimeZone, 'unknown time zone: use an IANA name such as Asia/Krasnoyarsk'),
  /** When staff get their digest, in the region's time: ПОС asks organizations to look at least twice a day. */
  digests: z.array(clockTime).min(1).max(8).default(DEFAULT_DIGEST_TIMES).transform((times) => [...new Set(times)].sort()),
  standardDays: z.number().int().min(1).max(30).default(30),
  fastTrackDays: z.number().int().min(1).max(30).default(10),
  /** When «N days left» reminders go out; absent: the environment's OTKLIK_REMINDER_DAYS. */
  reminderDays: reminderDaysSchema.optional(),
  fastTrack: z
    .object({
      categories: z.array(z.string()).default([]),
      reasons: z.array(z.string()).default([]),
      keywords: z.array(z.string()).default([]),
    })
    .default({ categories: [], reasons: [], keywords: [] }),
  federalServices: z
    .array(z.object({ id: z.string().min(1), name: z.string().min(1), days: z.number().int().min(1).max(15), keywords: z.array(z.string().min(1)).min(1) }))
    .default([]),
  /** The monitoring team's terms for signals (lib/signal-terms.ts): read by the workflow, validated here with the file. */
  signals: signalTermsSchema.prefault({}),
});
export type RegionConfig = z.infer<typeof regionConfigSchema>;

export function parseRegionConfig(yamlText: string, origin = 'region config'): RegionConfig {
  const parsed = regionConfigSchema.safeParse(parse(yamlText));
  if (!parsed.success) {
    throw new Error(`${origin} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function loadRegionConfig(path: string): RegionConfig {
  return parseRegionConfig(fs.readFileSync(path, 'utf8'), path);
}

/** The region's name for provenance; a broken region file is the classifier's (and workflow's) error to report, not ingest's. */
export function regionNameOf(path: string): string | undefined {
  try {
    return loadRegionConfig(path).region;
  } catch {
    return undefined;
  }
}

/** The region file as it is, or undefined when it cannot be read (the classifier, which needs it, reports why). */
export function readRegionFile(path: string): RegionConfig | undefined {
  try {
    return loadRegionConfig(path);
  } catch {
    return undefined;
  }
}

/**
 * The region's name and time zone for the other stages (provenance, the dates citizens read), or defaults: a broken
 * region file is the classifier's error to report, not theirs.
 */
export function regionBasics(path: string): { region?: string; timezone: string } {
  try {
    const r = loadRegionConfig(path);
    return { region: r.region, timezone: r.timezone };
  } catch {
    return { timezone: DEFAULT_TIME_ZONE };
  }
}

/** What a message's term is decided from: its category, the channel's reason (rubric) if any, and its text. */
export interface DeadlineInput {
  category: string;
  reason?: string;
  text: string;
}

export interface DeadlineDecision {
  fastTrack: boolean;
  deadlineDays: number;
  federalService?: string;
  /**
   * Which rule decided, for the case log: "federal:<id>", "fast-track:category", "fast-track:reason",
   * "fast-track:keyword:<kw>", "fast-track:manual" (a moderator's mark), "standard".
   */
  rule: string;
}

export type DecideDeadline = (input: DeadlineInput) => DeadlineDecision;

/**
 * What the workflow needs of the region: its calendar (deadlines end at midnight of the region's day, dates print
 * in its zone), the digest times, the fast-track term, and the deadline rules (classify's, handed in by main.ts)
 * for recomputing a term when a moderator corrects the category.
 */
export interface RegionRules {
  timeZone: string;
  digestTimes: string[];
  standardDays: number;
  fastTrackDays: number;
  /** The days before a deadline of the «N days left» reminders, when the region sets them (else the environment's). */
  reminderDaysBefore?: number[];
  decideDeadline?: DecideDeadline;
}

export const DEFAULT_REGION_RULES: RegionRules = { timeZone: DEFAULT_TIME_ZONE, digestTimes: DEFAULT_DIGEST_TIMES, standardDays: 30, fastTrackDays: 10 };

export const regionRulesOf = (c: RegionConfig, decideDeadline?: DecideDeadline): RegionRules => ({ timeZone: c.timezone, digestTimes: c.digests,
  standardDays: c.standardDays, fastTrackDays: c.fastTrackDays, reminderDaysBefore: c.reminderDays, decideDeadline });
