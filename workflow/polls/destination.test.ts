import { describe, expect, it } from 'vitest';
import { canonicalMailbox, canonicalPhone, codeDestination, emailAddress } from './destination.js';

describe('canonicalPhone', () => {
  it('writes every spelling of one Russian number the same way', () => {
    const spellings = ['89131234567', '+79131234567', '79131234567', '9131234567', '8 (913) 123-45-67', '+7 (913) 123-45-67', '8-913-123-45-67',
      '+7 913 123 45 67', ' 8.913.123.45.67 ', '+8 913 123-45-67'];
    expect(new Set(spellings.map(canonicalPhone))).toEqual(new Set(['+79131234567']));
  });
  it('keeps other countries when their code is given, through + or the international prefixes', () => {
    expect(canonicalPhone('+375 29 123-45-67')).toBe('+375291234567');
    expect(canonicalPhone('810 375 29 123 45 67')).toBe('+375291234567');
    expect(canonicalPhone('00375291234567')).toBe('+375291234567');
    expect(canonicalPhone('+84 912 345 678')).toBe('+84912345678');
  });
  it('refuses what is not one phone number', () => {
    for (const bad of ['', '12345', '+7 913 123', '+7913123456789', '8913abc1234567', '8 913 123 45 67, 8 913 765 43 21', '+0123456789', '1'.repeat(41)]) {
      expect(canonicalPhone(bad), bad).toBeUndefined();
    }
  });
});

describe('e-mail', () => {
  it('delivers to the lower-cased address and counts the mailbox', () => {
    expect(emailAddress('  Ivan.Petrov+Polls@Mail.RU ')).toBe('ivan.petrov+polls@mail.ru');
    expect(emailAddress('not-an-address')).toBeUndefined();
    expect(canonicalMailbox('ivan.petrov+polls@mail.ru')).toBe('ivan.petrov@mail.ru');
    expect(new Set(['I.van.Petrov+x@gmail.com', 'ivanpetrov@googlemail.com', 'IVANPETROV@GMAIL.COM'].map((a) => canonicalMailbox(emailAddress(a)!))))
      .toEqual(new Set(['ivanpetrov@gmail.com']));
    expect(new Set(['ivan.petrov@ya.ru', 'ivan-petrov@yandex.ru', 'Ivan.Petrov+1@yandex.com'].map((a) => canonicalMailbox(emailAddress(a)!))))
      .toEqual(new Set(['ivan-petrov@yandex.ru']));
  });
});

describe('codeDestination', () => {
  it('sends to the address as written and keys the limit and identity by the canonical form', () => {
    expect(codeDestination('phone', '8 (913) 123-45-67')).toEqual({ deliverTo: '+79131234567', key: '+79131234567' });
    expect(codeDestination('email', 'Ivan+a@Example.ru')).toEqual({ deliverTo: 'ivan+a@example.ru', key: 'ivan@example.ru' });
    expect(codeDestination('phone', 'call me')).toBeUndefined();
  });
});
