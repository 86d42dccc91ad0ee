/**
 * The bench harness: each bench is `bench/<name>.ts` whose default export returns rows and a summary. Figures are
 * printed as a table and written to `bench-results/<name>.json`; they are measurements, never test assertions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  rows: Record<string, string | number>[];
  summary: Record<string, unknown>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(here, '..', 'bench-results');

/** Benches left out of a bare `npm run bench` because they take many minutes (the 1M-post soak). */
const RUN_SEPARATELY = ['soak'];

export function availableBenches(): string[] {
  return fs.readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts' && !f.startsWith('_'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

export function formatTable(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => (/^-?[\d.]+$/.test(v) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** `--key value` pairs after the bench names, handed to every chosen bench (e.g. `npm run bench -- soak --posts 100000`). */
export function parseBenchArgs(argv: string[]): { names: string[]; options: Record<string, string> } {
  const names: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) options[a.slice(2)] = argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
    else names.push(a);
  }
  return { names, options };
}

export async function runBenches(argv: string[]): Promise<number> {
  const { names, options } = parseBenchArgs(argv);
  const all = availableBenches();
  const chosen = names.length ? names : all.filter((n) => !RUN_SEPARATELY.includes(n));
  if (!names.length) {
    for (const n of RUN_SEPARATELY) process.stdout.write(`(bench ${n} takes long and is run separately: npm run bench -- ${n})\n`);
  }
  const unknown = chosen.filter((n) => !all.includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown bench(es): ${unknown.join(', ')}; available: ${all.join(', ')}\n`);
    return 2;
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  for (const name of chosen) {
    process.stdout.write(`\n== bench ${name} ==\n`);
    const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { default: (options: Record<string, string>) => Promise<BenchResult> };
    const started = Date.now();
    const result = await mod.default(options);
    const record = {
      name,
      at: new Date().toISOString(),
      durationMs: Date.now() - started,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      ...result,
    };
    process.stdout.write(`${formatTable(result.rows)}\n`);
    for (const [k, v] of Object.entries(result.summary)) process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    fs.writeFileSync(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`written: bench-results/${name}.json\n`);
  }
  return 0;
}
