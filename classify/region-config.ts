import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { signalTermsSchema } from '../lib/signal-terms.js';
import type { DeadlineRules } from './deadlines.js';

export const regionConfigSchema = z.object({
  region: z.string().min(1),
  timezone: z.string().default('Europe/Moscow'),
  standardDays: z.number().int().min(1).max(30).default(30),
  fastTrackDays: z.number().int().min(1).max(30).default(10),
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
export type RegionConfig = z.infer<typeof regionConfigSchema> & DeadlineRules;

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
    return { timezone: 'Europe/Moscow' };
  }
}
