/**
 * `otklik import-calls FILE`: the 122 contact center's CSV or XLSX exports, streamed row by row (exports of a
 * year are large), each row a call card. Rows already imported are skipped; bad rows are reported with their line
 * numbers and do not stop the import.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { callCardSchema, normalizeCallCard } from './contact-center.js';
import type { IncomingMessage } from '../lib/queues.js';
import type { Intake } from './intake.js';
import { DAY_MS } from '../lib/time.js';

const CHUNK = 500;

/** Column names the center's exports use (Russian or English), mapped onto the call card. */
const COLUMNS: Record<string, keyof CallCardRow> = {
  callid: 'callId',
  call_id: 'callId',
  id: 'callId',
  'номер звонка': 'callId',
  'id звонка': 'callId',
  'номер обращения': 'callId',
  receivedat: 'receivedAt',
  received_at: 'receivedAt',
  date: 'receivedAt',
  'дата': 'receivedAt',
  'дата и время': 'receivedAt',
  'дата звонка': 'receivedAt',
  text: 'text',
  'текст': 'text',
  'суть обращения': 'text',
  'содержание': 'text',
  phone: 'phone',
  'телефон': 'phone',
  name: 'name',
  'фио': 'name',
  'заявитель': 'name',
  address: 'address',
  'адрес': 'address',
  municipality: 'municipality',
  'муниципалитет': 'municipality',
  'муниципальное образование': 'municipality',
  reason: 'reason',
  'причина': 'reason',
  'причина обращения': 'reason',
  'рубрика': 'reason',
  'тематика': 'reason',
};
interface CallCardRow {
  callId?: string;
  receivedAt?: string;
  text?: string;
  phone?: string;
  name?: string;
  address?: string;
  municipality?: string;
  reason?: string;
}

export interface ImportReport {
  total: number;
  imported: number;
  skipped: number;
  errors: { line: number; error: string }[];
}

export interface ImportDeps {
  intake: Intake;
  /** Which of these messages are stored already (asked of the stage that owns messages): they are skipped. */
  storedMessageIds: (messageIds: string[]) => Promise<string[]>;
  salt: string;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  progressEvery?: number;
}

function mapHeader(header: string[]): (keyof CallCardRow | undefined)[] {
  return header.map((h) => COLUMNS[String(h ?? '').trim().toLowerCase()]);
}

/** "20.11.2026 09:15" (Moscow-style exports) or ISO; a date without an offset is taken as Moscow time. */
export function parseCallDate(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  // A date cell read without its style is an Excel serial day number (days since 1899-12-30).
  if (typeof value === 'number' && value > 20_000 && value < 80_000) return new Date(Math.round((value - 25_569) * DAY_MS)).toISOString();
  const s = String(value ?? '').trim();
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (ru) {
    const [, d, m, y, hh = '0', mm = '0', ss = '0'] = ru;
    return new Date(`${y}-${m}-${d}T${hh.padStart(2, '0')}:${mm}:${ss.padStart(2, '0')}+03:00`).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(s)) return new Date(`${s}+03:00`).toISOString();
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

async function* csvRows(file: string): AsyncGenerator<{ line: number; cells: string[] }> {
  const parser = fs.createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, delimiter: [',', ';', '\t'], info: true }),
  );
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: rec.info.lines, cells: rec.record };
  }
}

async function* xlsxRows(file: string): AsyncGenerator<{ line: number; cells: unknown[] }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache',
    entries: 'emit' });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as unknown[]).slice(1).map((
        v,
      ) => (v && typeof v === 'object' && 'text' in (v as object)
        ? (v as { text: unknown }).text
        : (v && typeof v === 'object' && 'result' in (v as object) ? (v as { result: unknown }).result : v))
      );
      yield { line: row.number, cells: values };
    }
    break; // the first sheet holds the calls
  }
}

export async function importCalls(file: string, deps: ImportDeps): Promise<ImportReport> {
  const ext = path.extname(file).toLowerCase();
  if (!fs.existsSync(file)) throw new Error(`file not found: ${file}`);
  const rows = ext === '.xlsx' ? xlsxRows(file) : ext === '.csv' || ext === '.txt' ? csvRows(file) : undefined;
  if (!rows) throw new Error(`unsupported file type ${ext || '(none)'}: expected .csv or .xlsx`);
  const report: ImportReport = { total: 0, imported: 0, skipped: 0, errors: [] };
  let columns: (keyof CallCardRow | undefined)[] | undefined;
  const every = deps.progressEvery ?? 1000;
  // Rows go to intake in chunks: one database look-up and one queue job per chunk instead of per row.
  let chunk: IncomingMessage[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const page = chunk;
    chunk = [];
    const known = new Set(await deps.storedMessageIds(page.map((m) => m.messageId)));
    const fresh = page.filter((m) => !known.has(m.messageId));
    report.skipped += page.length - fresh.length;
    const r = await deps.intake.acceptMany(fresh);
    report.imported += r.accepted;
    report.skipped += r.duplicates;
  };
  for await (const { line, cells } of rows) {
    if (!columns) {
      columns = mapHeader(cells.map((c) => String(c ?? '')));
      for (const need of ['callId', 'receivedAt', 'text'] as const) {
        if (!columns.includes(need)) throw new Error(`line ${line}: header has no column for ${need} (found: ${cells.join(', ')})`);
      }
      continue;
    }
    report.total++;
    const row: CallCardRow = {};
    columns.forEach((k, i) => {
      const v = cells[i];
      if (!k || v === undefined || v === null || String(v).trim() === '') return;
      row[k] = k === 'receivedAt' ? parseCallDate(v) ?? `invalid date: ${String(v)}` : String(v).trim();
    });
    const card = callCardSchema.safeParse(row);
    if (!card.success) {
      report.errors.push({ line, error: card.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    chunk.push(normalizeCallCard(card.data, deps.salt));
    if (chunk.length >= CHUNK) await flush();
    if (report.total % every === 0) {
      await flush();
      deps.progress?.(`${report.total} rows: ${report.imported} imported, ${report.skipped} skipped, ${report.errors.length} errors`);
    }
  }
  await flush();
  deps.progress?.(`done: ${report.total} rows, ${report.imported} imported, ${report.skipped} skipped, ${report.errors.length} errors`);
  return report;
}
