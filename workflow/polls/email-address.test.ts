import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailAddress } from './destination.js';

describe('emailAddress', () => {
  // The address rule as a regular expression, before it became a scan: the reference for what it must accept.
  const BACKTRACKING_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

  it('accepts exactly the addresses the expression accepted', () => {
    const pieces = fc.constantFrom('a', 'я', '.', '..', '@', ' ', '\t', '-', 'ru', 'x'.repeat(63), 'y'.repeat(250));
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
      const s = parts.join('');
      const e = s.trim().toLowerCase().replace(/\.$/, '');
      expect(emailAddress(s)).toBe(BACKTRACKING_EMAIL.test(e) && e.length <= 320 ? e : undefined);
    }), { numRuns: 3000 });
  });

  it('normalizes ordinary addresses and refuses broken ones', () => {
    expect(emailAddress('  Ivan.Petrov@Mail.RU ')).toBe('ivan.petrov@mail.ru');
    expect(emailAddress('почта@админ.рф')).toBe('почта@админ.рф');
    for (const bad of ['@mail.ru', 'ivan@', 'ivan@mail', 'ivan@mail.r', 'ivan@@mail.ru', 'iv an@mail.ru', `${'x'.repeat(65)}@mail.ru`, 'a@.ru']) {
      expect(emailAddress(bad), bad).toBeUndefined();
    }
  });

  it('refuses the hostile run of dots after an @ that the expression backtracked over', () => {
    expect(emailAddress(`a@.${'.'.repeat(300)}@`)).toBeUndefined();
  });
});
