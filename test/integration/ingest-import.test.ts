import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { importCalls } from '../../ingest/import-calls.js';
import { replayFile } from '../../ingest/replay.js';
import { incomingMessagesOf } from '../../lib/queues.js';
import { bindPublicReads } from '../../workflow/public-reads.js';
import { startIntakeHarness } from '../fakes/intake-harness.js';
import { buildVkCallback, buildVkComment, tgGroupMessage } from '../fakes/payloads.js';
import { createTestDatabase, testDataDir, uniqueName } from '../support.js';

const run = promisify(execFile);

function csvOf(rows: string[][]): string {
  return rows.map((r) => r.map((c) => (/[",;\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(';')).join('\n');
}

describe('otklik import-calls and otklik replay', () => {
  let h: Awaited<ReturnType<typeof startIntakeHarness>>;
  let dir: string;
  beforeAll(async () => {
    h = await startIntakeHarness();
    dir = testDataDir('import');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('streams a CSV export: imports good rows, reports bad rows by line number, skips what was already imported', async () => {
    const file = path.join(dir, 'calls.csv');
    const rows = [['Номер звонка', 'Дата и время', 'Суть обращения', 'Телефон', 'ФИО', 'Адрес']];
    for (let i = 1; i <= 120; i++) {
      rows.push([`kc-${i}`, '20.11.2026 09:15', `Обращение ${i}: нет отопления в квартире, холодно`, '+7 391 200-00-00', 'Иванов И.', 'Красноярск']);
    }
    rows.push(['kc-bad-1', 'вчера', 'текст', '', '', '']); // line 122: bad date
    rows.push(['', '20.11.2026 10:00', 'без номера', '', '', '']); // line 123: no id
    rows.push(['kc-multi', '2026-11-20T11:00:00+07:00', 'Многострочный\nтекст; с точкой с запятой', '', '', '']);
    fs.writeFileSync(file, `\ufeff${csvOf(rows)}\n`);
    const progress: string[] = [];
    const first = await importCalls(file, { intake: h.intake, storedMessageIds: bindPublicReads(h.db).storedMessageIds, salt: 's',
      progress: (l) => progress.push(l), progressEvery: 50 });
    expect(first).toMatchObject({ total: 123, imported: 121, skipped: 0 });
    expect(first.errors.map((e) => e.line)).toEqual([122, 123]);
    expect(first.errors[0]!.error).toMatch(/receivedAt/);
    expect(first.errors[1]!.error).toMatch(/callId/);
    expect(progress.some((l) => l.startsWith('50 rows'))).toBe(true);
    const again = await importCalls(file, { intake: h.intake, storedMessageIds: bindPublicReads(h.db).storedMessageIds, salt: 's' });
    expect(again).toMatchObject({ imported: 0, skipped: 121 });
    const ids = await h.incomingIds();
    expect(ids.filter((x) => x.startsWith('kc-'))).toHaveLength(121);
    const multi = (await h.queues.incoming.getJobs(['waiting'])).flatMap((j) => incomingMessagesOf(j.data)).find((m) => m.externalId === 'kc-multi');
    expect(multi?.text).toBe('Многострочный\nтекст; с точкой с запятой');
  });

  it('streams an XLSX export the same way', async () => {
    const file = path.join(dir, 'calls.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const ws = wb.addWorksheet('Звонки');
    ws.addRow(['callId', 'receivedAt', 'text', 'phone', 'municipality']).commit();
    for (let i = 1; i <= 30; i++) ws.addRow([`x-${i}`, new Date(Date.UTC(2026, 10, 20, 3, i)), `Яма на дороге ${i}`, '83912000000', 'город Ачинск']).commit();
    ws.addRow(['x-bad', new Date(), '', '', '']).commit(); // line 32: no text
    ws.commit();
    await wb.commit();
    const r = await importCalls(file, { intake: h.intake, storedMessageIds: bindPublicReads(h.db).storedMessageIds, salt: 's' });
    expect(r).toMatchObject({ total: 31, imported: 30, skipped: 0 });
    expect(r.errors).toEqual([{ line: 32, error: expect.stringMatching(/text/) }]);
  });

  it('replays saved posts of every channel through the same normalisation, once', async () => {
    const file = path.join(dir, 'saved.jsonl');
    const lines = [
      JSON.stringify({ source: 'vk', ...buildVkCallback('wall_reply_new', buildVkComment({ id: 8801, post_id: 77 })) }),
      JSON.stringify({ source: 'telegram', update: { update_id: 5, message: tgGroupMessage({ message_id: 8802 }) } }),
      JSON.stringify({ source: 'contact_center', card: { callId: 'replay-1', receivedAt: '2026-11-20T09:00:00+07:00', text: 'Нет света в подъезде' } }),
      '{not json',
      JSON.stringify({ source: 'fax', text: 'x' }),
    ];
    fs.writeFileSync(file, lines.join('\n'));
    const r = await replayFile(file, { intake: h.intake, salt: 's', ownGroupIds: [111] });
    expect(r).toMatchObject({ total: 5, imported: 3, skipped: 0 });
    expect(r.errors.map((e) => e.line)).toEqual([4, 5]);
    const again = await replayFile(file, { intake: h.intake, salt: 's', ownGroupIds: [111] });
    expect(again).toMatchObject({ imported: 0, skipped: 3 });
    expect(await h.incomingIds()).toEqual(expect.arrayContaining(['wall-111_77_c8801', '-1001234567890:8802', 'replay-1']));
  });

  it('runs as the otklik CLI command, reporting per-row errors on stderr', async () => {
    const file = path.join(dir, 'cli.csv');
    fs.writeFileSync(file, csvOf([['callId', 'receivedAt', 'text'], ['cli-1', '20.11.2026 09:15', 'Не вывозят мусор'], ['cli-2', 'никогда', 'x']]));
    const env = { ...process.env, REDIS_URL: inject('redisUrl'), DATABASE_URL: await createTestDatabase('cli'), OTKLIK_QUEUE_PREFIX: uniqueName('q'),
      OTKLIK_DATA_DIR: testDataDir('cli'), LOG_LEVEL: 'silent' };
    const res = await run('node', ['bin/otklik.mjs', 'import-calls', file], { env, cwd: process.cwd() }).catch((
      e: { code: number; stdout: string; stderr: string },
    ) => e);
    expect((res as { code?: number }).code).toBe(2);
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!)).toEqual({ total: 2, imported: 1, skipped: 0, errors: 1 });
    expect(res.stderr).toMatch(/line 3: receivedAt/);
  });
});
