import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutralizeCell, spreadsheetCsv } from './csv.js';

describe('CSV for spreadsheets', () => {
  it('prefixes an apostrophe to every string a spreadsheet would take for a formula (OWASP)', () => {
    for (const cell of ['=HYPERLINK("http://x","клик")', "+7+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", '@SUM(1,2)', '\t=1+1', '\r=1+1', '-', '+']) {
      expect(neutralizeCell(cell), JSON.stringify(cell)).toBe(`'${cell}`);
    }
  });

  it('leaves ordinary text, numbers and strings that are only a number alone', () => {
    for (const cell of ['Дороги', 'город Красноярск', ' =1+1', "'уже с апострофом", '', '-12', '+3', '3.5', '-0.25']) expect(neutralizeCell(cell)).toBe(cell);
    expect(neutralizeCell(-12)).toBe(-12);
    expect(neutralizeCell(0.5)).toBe(0.5);
    expect(neutralizeCell(null)).toBeNull();
    for (const cell of ['-12.', '-.5', '-1e5', '-1,5', '--1', '-12 руб']) expect(neutralizeCell(cell), cell).toBe(`'${cell}`);
  });

  it('writes a BOM and neutralized cells that a CSV reader gets back with the apostrophe', () => {
    const csv = spreadsheetCsv([['Категория', 'Сообщений'], ['=1+1', -3], ['Дороги, ямы', 5], ['"кавычки"', '-7']]);
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(parse(csv.slice(1))).toEqual([['Категория', 'Сообщений'], ["'=1+1", '-3'], ['Дороги, ямы', '5'], ['"кавычки"', '-7']]);
  });
});
