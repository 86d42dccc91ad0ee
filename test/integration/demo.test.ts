/**
 * `otklik demo` as the CLI runs it, for the shortest history the CLI allows (7 days), on the test servers: every page
 * has something to show afterwards — organizations and staff of every role, cases in several statuses and some
 * overdue, an incident reported by several people, polls with votes, and the analytics in ClickHouse.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { demoCommand } from '../../demo/index.js';
import { startOtklik, type Otklik } from '../../main.js';
import { testConfig } from '../support.js';

/**
 * The latest Friday (today, on a Friday). Weekdays get more messages than weekends, so the week decides what the seed
 * draws: a week that ends on the same weekday draws the same region every time, and this one has every feature counted
 * below, whatever day the suite runs. (A week ending on a Saturday drew only 27 cases; the default 60 days draw many
 * times more.)
 */
function lastFriday(): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 2) % 7));
  return d;
}

describe('otklik demo', () => {
  let system: Otklik | undefined;
  let stopSystem: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stopSystem?.();
  });

  it('loads a week of a living region through the pipeline', async () => {
    const lines: string[] = [];
    // The command stops its system when done; the test keeps it a moment longer to look inside.
    await demoCommand(async (config, roles, _logger, now) => {
      const started = await startOtklik(config, roles, createLogger('silent'), now);
      stopSystem = started.stop.bind(started);
      started.stop = async () => {};
      system = started;
      return started;
    }, await testConfig(), { days: 7, seed: 2026, until: lastFriday() }, (l) => lines.push(l));
    const db = system!.db;
    // Soft: one expensive run reports every gap at once.
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

    expect(lines.join('\n')).toMatch(/Готово за \d+ с: организаций 12, сообщений \d+, голосований 2\./);
    expect.soft(lines.some((l) => /^\s+demo\.admin\s+\S{12}\s+Администратор региона/.test(l))).toBe(true);
    expect.soft(await count('select count(*) as n from organizations where training_confirmed and ready_confirmed')).toBe(12);
    const roles = (await db.query<{ role: string }>('select distinct role from user_roles')).rows.map((r) => r.role).sort();
    expect.soft(roles).toEqual(['administrator', 'coordinator', 'curator', 'executor', 'leader', 'moderator']);

    const statuses = (await db.query<{ status: string; n: string }>('select status, count(*) as n from cases group by status')).rows;
    expect.soft(statuses.length, JSON.stringify(statuses)).toBeGreaterThanOrEqual(4);
    expect.soft(await count('select count(*) as n from cases')).toBeGreaterThanOrEqual(40);
    for (const source of ['contact_center', 'widget', 'vk', 'telegram']) {
      expect.soft(await count(`select count(*) as n from messages where source = '${source}'`), source).toBeGreaterThan(0);
    }
    expect.soft(await count("select count(*) as n from cases where deadline_at < now() and status not in ('answered', 'rated', 'closed', 'rejected')"))
      .toBeGreaterThan(0);
    expect.soft(await count("select count(*) as n from cases where status in ('answered', 'rated')")).toBeGreaterThan(0);
    expect.soft(await count("select count(*) as n from case_events where to_status = 'rated'")).toBeGreaterThan(0);
    // What the monitoring found: signals grouped into incidents, one problem reported by more than one person; the team
    // accepted some (each became a case), gave «взято в работу» on some and rejected the chatter.
    expect.soft(await count('select count(*) as n from (select incident_id from signals group by incident_id having count(*) > 1) i')).toBeGreaterThan(0);
    expect.soft(await count("select count(*) as n from cases where origin = 'signal'")).toBeGreaterThan(0);
    expect.soft(await count('select count(*) as n from signals where first_reaction_at is not null')).toBeGreaterThan(0);

    const polls = (await db.query<{ title: string; votes: string }>(
      "select p.title, count(v.*) as votes from polls p left join votes v on v.poll_id = p.id and v.status = 'accepted' group by p.title",
    )).rows;
    expect.soft(polls).toHaveLength(2);
    for (const p of polls) expect(Number(p.votes), p.title).toBeGreaterThan(0);

    const ch = system!.ch!;
    const rows = async (query: string) => Number(((await (await ch.query({ query, format: 'JSONEachRow' })).json()) as { n: string }[])[0]!.n);
    expect.soft(await rows("SELECT count() AS n FROM events WHERE type = 'message.received'")).toBeGreaterThan(0);
    expect.soft(await rows('SELECT count() AS n FROM case_facts')).toBeGreaterThan(0);
    expect.soft(await rows('SELECT count() AS n FROM poll_votes')).toBeGreaterThan(0);
  }, 120_000);
});
