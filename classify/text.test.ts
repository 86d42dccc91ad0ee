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
