import { stringify } from 'csv-stringify/sync';

/**
 * Spreadsheet programs read a cell that starts with = + - @ (and, in some, a tab or a carriage return) as a formula:
 * a citizen's text, a category or a poll option beginning "=HYPERLINK(…)" would run in the official's Excel
 * (OWASP, CSV injection). Such a string cell gets a leading apostrophe, which the spreadsheet shows as plain text.
 * Numbers stay numbers, and so does a string that is nothing but a decimal number ("-12", "3.5"): a spreadsheet
 * reads it as that number, never as a formula, and a negative column must stay numeric.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

function isPlainNumber(s: string): boolean {
  let i = s[0] === '-' || s[0] === '+' ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot && digits > 0) dot = true;
    else return false;
  }
  return digits > 0 && s[s.length - 1] !== '.';
}

export function neutralizeCell<T>(value: T): T | string {
  if (typeof value !== 'string' || value.length === 0 || !FORMULA_START.has(value[0]!) || isPlainNumber(value)) return value;
  return `'${value}`;
}

/** Rows as CSV for people who open it in a spreadsheet (every cell neutralized), with the BOM Excel needs for UTF-8. */
export function spreadsheetCsv(rows: readonly (readonly unknown[])[]): string {
  return `\ufeff${stringify(rows.map((row) => row.map(neutralizeCell)))}`;
}
