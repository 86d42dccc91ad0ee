/**
 * U+0000 in decoded input. PostgreSQL text cannot store it, so such input must be refused as a client error before
 * it reaches a query, which would otherwise fail with a 500. Citizens' channels instead accept it and the intake
 * replaces it (ingest/intake.ts), so no message is lost over one character.
 */

/** Where a decoded input holds U+0000, as a path (`body.login`), or undefined. */
export function findNul(value: unknown, at: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return at;
    const found = findNul(v, `${at}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
