import type { DeadlineDecision, DeadlineInput } from '../lib/region-config.js';
import { PhraseMatcher, sentenceStemsOf } from './phrases.js';

export type { DeadlineDecision, DeadlineInput } from '../lib/region-config.js';

/**
 * Fast-track and deadline rules of a region: ПОС answers within 30 calendar days as standard, within 10 for the
 * region's fast-track categories, and within 1–15 days for federal services.
 */
export interface FederalServiceRule {
  id: string;
  name: string;
  days: number;
  keywords: string[];
}

export interface DeadlineRules {
  standardDays: number;
  fastTrackDays: number;
  fastTrack: { categories: string[]; reasons?: string[]; keywords?: string[] };
  federalServices: FederalServiceRule[];
}

const norm = (s: string) => s.toLowerCase().replace(/ё/g, 'е').trim();

function validate(rules: DeadlineRules): void {
  const bad = (what: string) => {
    throw new Error(`invalid deadline rules: ${what}`);
  };
  if (!Number.isInteger(rules.standardDays) || rules.standardDays < 1) bad('standardDays must be a positive integer');
  if (!Number.isInteger(rules.fastTrackDays) || rules.fastTrackDays < 1) bad('fastTrackDays must be a positive integer');
  for (const s of rules.federalServices) {
    if (!Number.isInteger(s.days) || s.days < 1 || s.days > 15) bad(`federal service ${s.id}: days must be 1..15`);
    if (s.keywords.length === 0) bad(`federal service ${s.id}: needs at least one keyword`);
  }
}

/**
 * Compiles the rules once. Keyword phrases are stemmed up front and matched on stems within a short window of one
 * sentence in any word order (phrases.ts), so the configured "не работает светофор" also catches «светофор не
 * работает» and "нет горячей воды" «горячей воды нет». The plain substring match of the phrase is kept too, so nothing
 * the old substring rules caught is lost.
 */
export function createDeadlineRules(rules: DeadlineRules): (input: DeadlineInput) => DeadlineDecision {
  validate(rules);
  const services = new PhraseMatcher<FederalServiceRule>();
  for (const service of rules.federalServices) for (const keyword of service.keywords) services.add(keyword, service);
  const fastKeywords = new PhraseMatcher<string>();
  for (const keyword of rules.fastTrack.keywords ?? []) fastKeywords.add(keyword, keyword);
  const categories = new Set(rules.fastTrack.categories.map(norm));
  const reasons = new Set((rules.fastTrack.reasons ?? []).map(norm));

  const firstHit = <T>(matcher: PhraseMatcher<T>, keywords: { keyword: string; value: T }[], stems: string[], text: string):
    | { value: T; phrase: string }
    | undefined =>
  {
    const byStem = matcher.matchStems(stems);
    for (const { keyword, value } of keywords) {
      if (text.includes(norm(keyword)) || byStem.some((hit) => hit.phrase === keyword && hit.value === value)) return { value, phrase: keyword };
    }
    return undefined;
  };
  const serviceKeywords = rules.federalServices.flatMap((service) => service.keywords.map((keyword) => ({ keyword, value: service })));
  const fastList = (rules.fastTrack.keywords ?? []).map((keyword) => ({ keyword, value: keyword }));

  return (input) => {
    const text = norm(input.text);
    const stems = sentenceStemsOf(input.text);
    // A federal service's own term binds harder than the region's choices, so it is checked first
    // (config order decides between services).
    const service = firstHit(services, serviceKeywords, stems, text);
    if (service) return { fastTrack: false, deadlineDays: service.value.days, federalService: service.value.id, rule: `federal:${service.value.id}` };
    if (categories.has(norm(input.category))) return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: 'fast-track:category' };
    if (input.reason && reasons.has(norm(input.reason))) return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: 'fast-track:reason' };
    const keyword = firstHit(fastKeywords, fastList, stems, text);
    if (keyword) return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: `fast-track:keyword:${keyword.value}` };
    return { fastTrack: false, deadlineDays: rules.standardDays, rule: 'standard' };
  };
}

const compiled = new WeakMap<DeadlineRules, (input: DeadlineInput) => DeadlineDecision>();

/** Pure: the same rules and input always give the same decision. Compiled rules are cached per rules object. */
export function decideDeadline(rules: DeadlineRules, input: DeadlineInput): DeadlineDecision {
  let decide = compiled.get(rules);
  if (!decide) {
    decide = createDeadlineRules(rules);
    compiled.set(rules, decide);
  }
  return decide(input);
}
