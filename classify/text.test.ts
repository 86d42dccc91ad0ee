import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, cleanText, normalizeCase, PLACEHOLDER, stemWord, STOP_WORDS, tokenize, tokenizeNatural } from './text.js';

describe('cleanText', () => {
  it('strips HTML tags and decodes entities from Kursk-style portal texts', () => {
    const raw = '<p>Во дворе&nbsp;дома по ул.&nbsp;Урицкого 22 &laquo;яма&raquo;</p><span style="color:red">срочно</span>';
    const out = cleanText(raw);
    expect(out).not.toMatch(/[<>]|&nbsp;|&laquo;/);
    expect(tokenize(normalizeCase(out))).toEqual(['во', 'дворе', 'дома', 'по', 'ул', 'урицкого', '22', 'яма', 'срочно']);
  });

  it('replaces URLs, e-mails, phones and masks with placeholder tokens', () => {
    const raw = 'Пишите на ivanov.petr@mail.ru или звоните +7 (391) 200-00-00, 8 913 123 45 67; фото https://vk.com/photo1_2 Жалоба от XXX XXXX';
    const words = analyze(raw).words;
    expect(words).toContain(PLACEHOLDER.email);
    expect(words.filter((w) => w === PLACEHOLDER.phone)).toHaveLength(2);
    expect(words).toContain(PLACEHOLDER.url);
    expect(words.filter((w) => w === PLACEHOLDER.mask)).toHaveLength(2);
    expect(words.join(' ')).not.toMatch(/ivanov|mail\.ru|391|913|vk\b/);
  });

  it('keeps dates and house numbers that are not phone numbers', () => {
    expect(cleanText('16.05.2024 у дома 12')).toBe('16.05.2024 у дома 12');
  });

  it('replaces emoji and VK mentions but keeps the community name', () => {
    const words = analyze('[club187589248|Муниципальный округ Правобережный] когда уберут снег? 😡😡 [USER]').words;
    expect(words).toEqual(['mentiontok', 'муниципальный', 'округ', 'правобережный', 'когда', 'уберут', 'снег', 'emojitok', 'emojitok', 'usertok']);
  });

  it('does not mistake ordinary capital Х words for masks', () => {
    expect(cleanText('Холодно в квартире, ХВС нет')).toBe('Холодно в квартире, ХВС нет');
  });
});

describe('cleanText on hostile input', () => {
  // The e-mail pattern as it was before it was made linear: the reference for what it must still replace.
  const QUADRATIC_EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu;

  it('replaces exactly the e-mail addresses it replaced before', () => {
    // No digits, markup, brackets, URLs or capitals: nothing but the e-mail rule can touch these strings.
    const alphabet = fc.constantFrom('а', 'b', 'ru', '.', '@', '-', '_', '%', '+', ' ', ',', 'яндекс', 'mail');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
      const s = parts.join('');
      expect(cleanText(s)).toBe(s.replace(QUADRATIC_EMAIL, ` ${PLACEHOLDER.email} `));
    }), { numRuns: 2000 });
  });

  it('finds addresses after long runs of letters and in Cyrillic domains', () => {
    expect(cleanText(`${'а'.repeat(3000)} иван.петров@почта.рф`)).toBe(`${'а'.repeat(3000)}  ${PLACEHOLDER.email} `);
    expect(cleanText('ivan-petrov_1@sub.mail.ru,')).toBe(` ${PLACEHOLDER.email} ,`);
  });

  it('leaves the issue\'s widget message ("а" × 4999 and an @) as it is', () => {
    const text = `${'а'.repeat(4999)}@`;
    expect(cleanText(text)).toBe(text);
    expect(analyze(text).words).toEqual(['а'.repeat(4999)]);
  });

  it('replaces closed VK mentions (a person’s without the name, as the dataset has them), and leaves unclosed ones as text', () => {
    expect(analyze('[id1|Иван] и [club2|Двор]').words).toEqual(['usertok', 'и', 'mentiontok', 'двор']);
    expect(analyze('[id1|Иван], [USER]').words).toEqual(['usertok', 'usertok']);
    const unclosed = '[id0|'.repeat(2000);
    expect(cleanText(unclosed)).toBe(unclosed);
    // A name cannot run into the next mention: "[id1|a [id2|b]" is plain text and one mention.
    expect(analyze('[id1|a [id2|b]').words).toEqual(['id1', 'a', 'usertok']);
    expect(analyze('[club1|a [club2|b]').words).toEqual(['club1', 'a', 'mentiontok', 'b']);
  });
});

describe('stemming and stop words', () => {
  it('lower-cases and folds ё before stemming, so case forms share a stem', () => {
    expect(normalizeCase('ЁЛКА Берёзовка')).toBe('елка березовка');
    expect(stemWord('норильске')).toBe(stemWord('норильск'));
    expect(stemWord('подъезда')).toBe(stemWord('подъезде'));
    expect(stemWord('отопления')).toBe('отоплен');
  });

  it('removes stop words case-insensitively (natural checks them before lower-casing)', () => {
    expect(STOP_WORDS.has('на')).toBe(true);
    const { stems } = analyze('На Улице В Подъезде', { removeStopWords: true });
    expect(stems).toEqual([stemWord('улице'), stemWord('подъезде')]);
  });

  it('maps bare numbers to one token and leaves Latin words unstemmed', () => {
    expect(analyze('дом 15 wifi').words).toEqual(['дом', PLACEHOLDER.number, 'wifi']);
    expect(stemWord('wifi')).toBe('wifi');
  });
});

describe('tokenize', () => {
  it('splits on everything but Latin/Cyrillic letters and digits', () => {
    expect(tokenize('ул. ленина, д.5/2 — «яма»!!! wi-fi ёлка')).toEqual(['ул', 'ленина', 'д', '5', '2', 'яма', 'wi', 'fi', 'ёлка']);
    expect(tokenize('  \n\t ')).toEqual([]);
  });

  it('gives exactly the tokens of natural’s AggressiveTokenizerRu, which the models were trained with', () => {
    const alphabet = fc.constantFrom(...'abcXYZ019абвяАБЯёЁ .,!?-_\n\t«»№😡\u00a0'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (chars) => {
        const s = chars.join('');
        expect(tokenize(s)).toEqual(tokenizeNatural(s));
      }),
      { numRuns: 500 },
    );
  });
});
