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

export interface DeadlineDecision {
  fastTrack: boolean;
  deadlineDays: number;
  federalService?: string;
  /** Which rule decided, for the case log: "federal:<id>", "fast-track:category", "fast-track:keyword:<kw>", "standard". */
  rule: string;
}

const norm = (s: string) => s.toLowerCase().replace(/ё/g, 'е');

export function decideDeadline(
  rules: DeadlineRules,
  input: { category: string; reason?: string; text: string },
): DeadlineDecision {
  const text = norm(input.text);
  // A federal service's own term binds harder than the region's choices, so it is checked first.
  for (const service of rules.federalServices) {
    const hit = service.keywords.find((k) => text.includes(norm(k)));
    if (hit) return { fastTrack: false, deadlineDays: service.days, federalService: service.id, rule: `federal:${service.id}` };
  }
  const category = norm(input.category);
  if (rules.fastTrack.categories.some((c) => norm(c) === category)) {
    return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: 'fast-track:category' };
  }
  if (input.reason && (rules.fastTrack.reasons ?? []).some((r) => norm(r) === norm(input.reason!))) {
    return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: 'fast-track:reason' };
  }
  const keyword = (rules.fastTrack.keywords ?? []).find((k) => text.includes(norm(k)));
  if (keyword) return { fastTrack: true, deadlineDays: rules.fastTrackDays, rule: `fast-track:keyword:${keyword}` };
  return { fastTrack: false, deadlineDays: rules.standardDays, rule: 'standard' };
}
