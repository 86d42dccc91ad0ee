import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import { parse } from 'csv-parse';

/** One input record with the 1-based line of the file it started on, so errors and outputs can point back at it. */
export interface SourceRecord {
  line: number;
  fields: Record<string, string>;
}

export interface BadRow {
  line: number;
  message: string;
}

export interface ReadOptions {
  /** `csv` or `jsonl`; guessed from the extension when omitted (.jsonl/.ndjson → jsonl, anything else → csv). */
  format?: 'csv' | 'jsonl';
  /** CSV delimiter; sniffed from the header line when omitted (Excel exports in Russian locales use `;`). */
  delimiter?: string;
  /** Called for every row that cannot be parsed; reading goes on. Without it bad rows are silently skipped. */
  onBadRow?: (bad: BadRow) => void;
}

export function detectFormat(path: string): 'csv' | 'jsonl' {
  const ext = extname(path.endsWith('.gz') ? path.slice(0, -3) : path).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
}

/**
 * Streams records of a CSV (header row required) or JSON Lines file. Memory stays flat whatever the file size,
 * because `classify` runs over monthly exports of hundreds of thousands of appeals.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<SourceRecord> {
  const format = options.format ?? detectFormat(path);
  if (format === 'jsonl') yield* readJsonl(path, options);
  else yield* readCsv(path, options);
}

async function sniffDelimiter(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return sniffDelimiterFromText(buf.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await fh.close();
  }
}

/** Counts candidate delimiters outside quotes on the header line; the header is short and never quoted-multiline in practice. */
export function sniffDelimiterFromText(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

async function* readCsv(path: string, options: ReadOptions): AsyncGenerator<SourceRecord> {
  const delimiter = options.delimiter ?? (await sniffDelimiter(path));
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: true,
      delimiter,
      info: true,
      relax_column_count: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: Error | undefined) => {
        if (!err || !options.onBadRow) return undefined;
        const lines = (err as unknown as { lines?: number }).lines;
        options.onBadRow({ line: typeof lines === 'number' ? lines : 0, message: err.message });
        return undefined;
      },
    }),
  );
  for await (const item of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number; raw?: string } }>) {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(item.record)) fields[k] = v == null ? '' : String(v);
    // info.lines is the line where the record ENDS; multi-line quoted texts are common, so count back its newlines.
    yield { line: startLine(item), fields };
  }
}

function startLine(item: { record: Record<string, unknown>; info: { lines: number } }): number {
  let newlines = 0;
  for (const v of Object.values(item.record)) {
    if (typeof v === 'string') { for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) newlines++; }
  }
  return item.info.lines - newlines;
}

async function* readJsonl(path: string, options: ReadOptions): AsyncGenerator<SourceRecord> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (let raw of rl) {
    line++;
    if (line === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      options.onBadRow?.({ line, message: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      options.onBadRow?.({ line, message: 'not a JSON object' });
      continue;
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      fields[k] = v == null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    yield { line, fields };
  }
}

/** Reads a whole file into memory: fine for training sets (tens of thousands of rows), not for `classify` inputs. */
export async function readAllRecords(path: string, options: ReadOptions = {}): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(path, options)) out.push(r);
  return out;
}
