/**
 * The region's time zone comes from its config (`timezone` in region.yaml) and reaches every page: the public
 * overview, the polls, the routing page and the weekly report hand it to their scripts (data-tz), the poll page
 * prints its schedule in it and the weekly report's footer names it; the analytics count the region's days. A region
 * other than Krasnoyarsk proves nothing is hard-coded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvents, toEventRow } from '../../analytics/events-store.js';
import { eventIdFor } from '../../lib/ids.js';
import { migrate } from '../../db/migrate.js';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';

const ZONE = 'Asia/Vladivostok';

describe("the region's time zone on the pages", () => {
  let system: Otklik;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'otklik-zone-'));
    const region = fs.readFileSync('config/region.yaml', 'utf8').replace(/^timezone: .*$/m, `timezone: ${ZONE}`);
    expect(region).toContain(`timezone: ${ZONE}`);
    fs.writeFileSync(path.join(dir, 'region.yaml'), region);
    system = await startTestSystem({ OTKLIK_REGION_CONFIG: path.join(dir, 'region.yaml') }, ['workflow', 'analytics', 'dashboard']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const page = async (p: string, withSession = false) => {
    const res = await fetch(`${system.url}${p}`, { headers: withSession ? { cookie: `otklik_token=${token}` } : {}, redirect: 'manual' });
    expect(res.status, p).toBe(200);
    return res.text();
  };

  it('hands the zone to the overview, the polls, the routing page and the weekly report', async () => {
    const created = await fetch(`${system.url}/api/v1/polls`, { method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Какой сквер благоустроить?', municipalities: ['город Красноярск'], opensAt: '2026-12-04T15:30:00.000Z',
        questions: [{ kind: 'single', text: 'Какой?', options: ['Сквер на Мира', 'Сквер на Ленина'] }] }) });
    expect(created.status, await created.clone().text()).toBe(201);
    const poll = (await created.json()) as { id: string };
    expect(
      (await fetch(`${system.url}/api/v1/polls/${poll.id}/status`, { method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: 'published' }) })).status,
    ).toBe(200);

    for (const p of ['/', '/polls', `/polls/${poll.id}`]) expect(await page(p), p).toContain(`<html lang="ru" data-tz="${ZONE}">`);
    // 15:30 UTC is 01:30 of the next day in Vladivostok (UTC+10).
    expect(await page(`/polls/${poll.id}`)).toContain('Голосование начнётся 5 дек. 2026, 01:30');
    expect(await page('/routing', true)).toContain(`data-tz="${ZONE}"`);
    const report = await page('/report/weekly', true);
    expect(report).toContain(`data-tz="${ZONE}"`);
    expect(report).toMatch(/Сформировано \d{1,2} [а-я]+\.? \d{4}, \d{2}:\d{2} \(время региона, GMT\+10\)/);
  });

  it("counts messages on the region's day, and takes a bare date of a range as the region's midnight", async () => {
    // 13:00 UTC on 1 March is 23:00 that day in Vladivostok; 15:30 UTC is already 01:30 on 2 March there.
    const at = ['2026-03-01T13:00:00.000Z', '2026-03-01T15:30:00.000Z', '2026-03-02T01:00:00.000Z'];
    const rows = at.map((when, n) =>
      toEventRow({ eventId: eventIdFor('zone-days', String(n)), type: 'message.classified', at: when, messageId: eventIdFor('zone-days-msg', String(n)),
        source: 'widget', category: 'Дороги', municipality: 'город Владивосток', props: {} })
    );
    await insertEvents(system.ch!)(rows, 'zone-days');
    const volume = async (range: string) => {
      const res = await fetch(`${system.url}/api/v1/analytics/volume?interval=day&by=source&source=widget&${range}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { rows: { period: string; messages: number }[] }).rows.map((r) => [r.period, r.messages]);
    };
    expect(await volume('from=2026-03-01&to=2026-03-03')).toEqual([['2026-03-01', 1], ['2026-03-02', 2]]);
    // 2 March starts at 14:00 UTC on 1 March in Vladivostok.
    expect(await volume('from=2026-03-02&to=2026-03-03')).toEqual([['2026-03-02', 2]]);
    expect(await volume('from=2026-03-01&to=2026-03-02')).toEqual([['2026-03-01', 1]]);

    // A deployment upgraded to the hourly rollups finds the messages it had before them counted.
    await system.ch!.command({ query: 'TRUNCATE TABLE messages_hourly_region' });
    await system.ch!.command({ query: "DELETE FROM schema_migrations WHERE version = '003'" });
    expect((await migrate(system.db, system.ch)).clickhouse).toEqual(['003_hourly_rollups.sql']);
    expect(await volume('from=2026-03-01&to=2026-03-03')).toEqual([['2026-03-01', 1], ['2026-03-02', 2]]);
  });
});
