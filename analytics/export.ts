import ExcelJS from 'exceljs';
import { spreadsheetCsv } from '../lib/csv.js';

export interface Column {
  key: string;
  /** Russian header shown in the file. */
  title: string;
}

/**
 * A dashboard table as a file: CSV (UTF-8 with BOM, so Excel opens Cyrillic right; cells that a spreadsheet would run
 * as formulas neutralized, see lib/csv.ts) or an XLSX sheet (ExcelJS writes strings as text, never as formulas).
 */
export async function exportTable(title: string, columns: Column[], rows: Record<string, string | number>[],
  format: 'csv' | 'xlsx'): Promise<{ contentType: string; body: Buffer }>
{
  if (format === 'csv') {
    const text = spreadsheetCsv([columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => r[c.key] ?? ''))]);
    return { contentType: 'text/csv; charset=utf-8', body: Buffer.from(text, 'utf8') };
  }
  const workbook = new ExcelJS.Workbook();
  // Sheet names are limited to 31 characters and some punctuation.
  const sheet = workbook.addWorksheet(title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31));
  sheet.columns = columns.map((c) => ({ header: c.title, key: c.key, width: Math.max(12, c.title.length + 2) }));
  for (const r of rows) sheet.addRow(r);
  sheet.getRow(1).font = { bold: true };
  return {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}
