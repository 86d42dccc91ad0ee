/**
 * Analytics numbers against an independent computation: cases driven through statuses in PostgreSQL, the matching
 * events sent through the real path (events queue → worker → batcher → ClickHouse), then the ClickHouse endpoints
 * compared with SQL over cases/case_events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import { eventIdFor, uuidV5 } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { applyRetention, rebuildRollups } from '../../analytics/schema.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CATEGORIES = ['ЖКХ', 'Дороги', 'Благоустройство', 'Транспорт'];
const MUNICIPALITIES = ['город Красноярск', 'город Ачинск'];

interface CasePlan {
  i: number;
  caseId: string;
  messageId: string;
  source: 'vk' | 'telegram' | 'widget' | 'contact_center';
  category: string;
  municipality: string;
  registeredAt: Date;
  deadlineAt: Date;
  orgs: string[];
  answeredAfterH?: number;
  rejected: boolean;
  rating?: number;
  repeatReview: boolean;
}

/** Whole seconds: ClickHouse's case facts keep seconds, and the comparison must not depend on rounding. */
const sec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

function buildCase(i: number, orgIds: string[], now: number, overrides: Partial<CasePlan> = {}): CasePlan {
  const registeredAt = sec(now - (120 - i * 3) * DAY - i * 977_000);
  const fast = i % 2 === 0;
  const rejected = i % 11 === 5;
  const answered = !rejected && i % 5 !== 0;
  const rating = answered && i % 3 !== 2 ? 1 + (i % 5) : undefined;
  return {
    i,
    caseId: uuidV5(`test-case-${i}-${now}`),
    messageId: uuidV5(`test-msg-${i}-${now}`),
    source: (['vk', 'telegram', 'widget', 'contact_center'] as const)[i % 4]!,
    category: CATEGORIES[i % 4]!,
    municipality: MUNICIPALITIES[i % 3 === 0 ? 1 : 0]!,
    registeredAt,
    deadlineAt: sec(registeredAt.getTime() + (fast ? 10 : 30) * DAY),
    // Every fourth case is redirected: the organization that answers is the last one.
    orgs: i % 4 === 1 ? [orgIds[i % 3]!, orgIds[(i + 1) % 3]!] : [orgIds[i % 3]!],
    answeredAfterH: answered ? 5 + ((i * 37) % 40) * 17 : undefined,
    rejected,
    rating,
    repeatReview: rating === 1,
    ...overrides,
  };
}

/** Writes the case to PostgreSQL and returns the events the workflow would emit for it. */
async function driveCase(db: Otklik['db'], c: CasePlan): Promise<AnalyticsEventInput[]> {
  await db.query(`insert into messages (id, source, external_id, received_at, text, author_hash) values ($1, $2, $3, $4, 'текст', $5)`, [c.messageId, c.source,
    `ext-${c.caseId}`, c.registeredAt, `author-${c.i % 7}`]);
  await db.query(
    `insert into cases (id, message_id, registration_number, status, category, deadline_days, municipality, registered_at, deadline_at, organization_id)
                  values ($1, $2, $3, 'moderation', $4, 10, $5, $6, $7, $8)`,
    [c.caseId, c.messageId, `T-${c.caseId.slice(0, 8)}`, c.category, c.municipality, c.registeredAt, c.deadlineAt, c.rejected ? null : c.orgs.at(-1)],
  );
  const common = { messageId: c.messageId, source: c.source, municipality: c.municipality, props: {} };
  const events: AnalyticsEventInput[] = [
    { ...common, eventId: eventIdFor(c.messageId, 'received'), type: 'message.received', at: c.registeredAt.toISOString(), authorHash: `author-${c.i % 7}` },
    { ...common, eventId: eventIdFor(c.messageId, 'classified'), type: 'message.classified', at: new Date(c.registeredAt.getTime() + 1000).toISOString(),
      category: c.category, confidence: 0.9, modelVersion: 't', fastTrack: false, kind: 'complaint', incidentId: c.i % 6 === 0 ? 'inc-test' : undefined },
    { ...common, eventId: eventIdFor(c.messageId, 'case.created'), type: 'case.created', at: c.registeredAt.toISOString(), caseId: c.caseId,
      category: c.category, status: 'moderation', deadlineAt: c.deadlineAt.toISOString() },
  ];
  let status = 'moderation';
  const transition = async (to: string, at: Date, org?: string, data: Record<string, string | number> = {}) => {
    await db.query(`insert into case_events (case_id, at, actor, type, from_status, to_status, data) values ($1, $2, 'test', 'transition', $3, $4, $5)`, [
      c.caseId,
      at,
      status,
      to,
      JSON.stringify({ organizationId: org, ...data }),
    ]);
    events.push({ eventId: eventIdFor(c.caseId, 'transition', String(events.length)), type: 'case.transition', at: at.toISOString(), caseId: c.caseId,
      organizationId: org, fromStatus: status, status: to, actor: 'test', props: data });
    status = to;
  };
  const t0 = c.registeredAt.getTime();
  if (c.rejected) {
    await transition('rejected', sec(t0 + HOUR), undefined, { reason: c.i % 2 ? 'нецензурная лексика' : 'нет сути обращения' });
    return events;
  }
  for (const [k, org] of c.orgs.entries()) await transition('routed', sec(t0 + (k + 1) * HOUR), org);
  if (c.answeredAfterH !== undefined) {
    const answeredAt = sec(t0 + c.answeredAfterH * HOUR);
    await transition('answered', answeredAt, c.orgs.at(-1));
    if (c.rating !== undefined) {
      const ratedAt = sec(answeredAt.getTime() + DAY);
      await db.query(`insert into case_events (case_id, at, actor, type, data) values ($1, $2, 'citizen', 'rated', $3)`, [c.caseId, ratedAt,
        JSON.stringify({ rating: c.rating })]);
      events.push({ eventId: eventIdFor(c.caseId, 'rated'), type: 'case.rated', at: ratedAt.toISOString(), caseId: c.caseId, rating: c.rating, props: {} });
      if (c.repeatReview) await transition('repeat_review', sec(ratedAt.getTime() + HOUR), c.orgs.at(-1));
    }
  }
  return events;
}

const PG_FACTS = `
  with f as (
    select c.id, coalesce(c.organization_id::text, '') as org, c.category, c.municipality, c.registered_at, c.deadline_at,
      (select min(e.at) from case_events e where e.case_id = c.id and e.to_status = 'answered') as answered_at,
      exists (select 1 from case_events e where e.case_id = c.id and e.to_status = 'rejected') as rejected,
      exists (select 1 from case_events e where e.case_id = c.id and e.to_status = 'repeat_review') as repeat_review,
      (select (e.data->>'rating')::int from case_events e where e.case_id = c.id and e.type = 'rated' order by e.at desc limit 1) as rating
    from cases c where c.registration_number like 'T-%')`;

describe('analytics numbers equal an independent computation from PostgreSQL', () => {
  let system: Otklik;
  let token: string;
  let plans: CasePlan[];
  const get = async (path: string) => {
    const res = await fetch(`${system.url}/api/v1/analytics/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return res;
  };
  const table = async (path: string) => ((await (await get(path)).json()) as { rows: Record<string, string | number>[] }).rows;

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'analytics', 'dashboard']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const orgs = await system.db.query<{ id: string }>(
      `insert into organizations (name) values ('УК Север'), ('Дорожный департамент'), ('Администрация') returning id`,
    );
    const orgIds = orgs.rows.map((r) => r.id);
    const now = Date.now();
    plans = Array.from({ length: 40 }, (_, i) => buildCase(i, orgIds, now));
    // Two open cases whose deadlines are still ahead: neither answered nor overdue.
    plans.push(
      buildCase(40, orgIds, now, { registeredAt: sec(now - DAY), deadlineAt: sec(now + 29 * DAY), answeredAfterH: undefined, rejected: false, rating: undefined,
        repeatReview: false }),
    );
    plans.push(
      buildCase(41, orgIds, now, { registeredAt: sec(now - 2 * DAY), deadlineAt: sec(now + 8 * DAY), answeredAfterH: undefined, rejected: false,
        rating: undefined, repeatReview: false }),
    );
    const events: AnalyticsEventInput[] = [];
    for (const p of plans) events.push(...(await driveCase(system.db, p)));
    // Several jobs, as several stages would send them, in shuffled order: the latest-wins facts must not depend on it.
    const shuffled = [...events].sort((a, b) => a.eventId.localeCompare(b.eventId));
    for (let k = 0; k < shuffled.length; k += 25) await system.queues.events.add('test', { events: shuffled.slice(k, k + 25) as never });
    // Re-emitted: the same events again, in other batches; they must count once.
    await system.queues.events.add('again', { events: shuffled.slice(0, 60) as never });
    await system.queues.events.add('again-2', { events: shuffled.slice(30, 90) as never });
    const total = events.length;
    await eventually(async () => {
      const counts = await system.queues.events.getJobCounts('waiting', 'active', 'delayed');
      const rs = await system.ch!.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
      return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0 && Number((await rs.json<{ n: string }>())[0]!.n) === total;
    }, 20_000, 'all events in ClickHouse');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('counts every event once although some were sent three times', async () => {
    const rs = await system.ch!.query({ query: 'SELECT count() AS n, uniqExact(event_id) AS u FROM events', format: 'JSONEachRow' });
    const [r] = await rs.json<{ n: string; u: string }>();
    expect(Number(r!.n)).toBe(Number(r!.u));
    const pg = await system.db.query<{ n: string }>(`select count(*) as n from cases where registration_number like 'T-%'`);
    const volume = await table('volume?by=category&interval=month');
    expect(volume.reduce((s, r) => s + Number(r.messages), 0)).toBe(Number(pg.rows[0]!.n));
    const top = await table('top-problems');
    const pgTop = await system.db.query<{ category: string; n: string }>(`select category, count(*) n from cases group by category order by n desc, category`);
    expect(top.map((r) => [r.category, r.messages])).toEqual(pgTop.rows.map((r) => [r.category, Number(r.n)]));
  });

  it('gives the same SLA per organization and category as PostgreSQL', async () => {
    const pg = await system.db.query<Record<string, string | number | null>>(`${PG_FACTS}
      select org, category, count(*)::int as cases, count(answered_at)::int as answered,
        (count(*) filter (where answered_at <= deadline_at))::int as on_time,
        (count(*) filter (where answered_at is null and deadline_at < now()))::int as overdue,
        percentile_cont(0.5) within group (order by extract(epoch from answered_at - registered_at)) as med,
        percentile_cont(0.9) within group (order by extract(epoch from answered_at - registered_at)) as p90
      from f where not rejected group by org, category`);
    const expected = pg.rows.map((r) => ({
      organization: r.org,
      category: r.category,
      cases: r.cases,
      answered: r.answered,
      answeredOnTime: r.on_time,
      overdueNow: r.overdue,
      onTimeShare: Number(r.answered) + Number(r.overdue) > 0 ? Math.round((Number(r.on_time) / (Number(r.answered) + Number(r.overdue))) * 1e4) / 1e4 : 0,
      medianHours: r.med === null ? 0 : Math.round((Number(r.med) / 3600) * 100) / 100,
      p90Hours: r.p90 === null ? 0 : Math.round((Number(r.p90) / 3600) * 100) / 100,
    }));
    const key = (r: Record<string, unknown>) => `${r.organization}|${r.category}`;
    const actual = await table('sla?groupBy=organization,category');
    expect([...actual].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
    // Overall sanity of the fixture: it has late answers, overdue cases and open ones.
    expect(actual.some((r) => Number(r.overdueNow) > 0)).toBe(true);
    expect(actual.some((r) => Number(r.answeredOnTime) < Number(r.answered))).toBe(true);
  });

  it('filters SLA by municipality and organization like PostgreSQL does', async () => {
    const org = plans[0]!.orgs.at(-1)!;
    const pg = await system.db.query<{ cases: number; answered: number }>(`${PG_FACTS}
      select count(*)::int as cases, count(answered_at)::int as answered from f where not rejected and org = $1 and municipality = $2`, [org, 'город Ачинск']);
    const actual = await table(`sla?groupBy=organization&organization=${org}&municipality=${encodeURIComponent('город Ачинск')}`);
    expect(actual.reduce((s, r) => s + Number(r.cases), 0)).toBe(pg.rows[0]!.cases);
    expect(actual.reduce((s, r) => s + Number(r.answered), 0)).toBe(pg.rows[0]!.answered);
    const byCat = await system.db.query<{ cases: number }>(`${PG_FACTS} select count(*)::int as cases from f where not rejected and category = $1`, ['Дороги']);
    const filtered = await table(`sla?groupBy=organization&category=${encodeURIComponent('Дороги')}`);
    expect(filtered.reduce((s, r) => s + Number(r.cases), 0)).toBe(byCat.rows[0]!.cases);
  });

  it('gives the same ratings and repeat reviews per organization as PostgreSQL', async () => {
    const pg = await system.db.query<Record<string, string | number | null>>(`${PG_FACTS}
      select org, count(rating)::int as rated, avg(rating) as average, (count(*) filter (where rating = 1))::int as r1,
        (count(*) filter (where rating = 5))::int as r5, (count(*) filter (where repeat_review))::int as repeat_reviews
      from f where not rejected group by org having count(rating) > 0 or count(*) filter (where repeat_review) > 0`);
    const actual = await table('ratings?groupBy=organization');
    const expected = pg.rows.map((r) => ({ organization: r.org, rated: r.rated, average: Math.round(Number(r.average) * 100) / 100, r1: r.r1, r5: r.r5,
      repeatReviews: r.repeat_reviews })
    );
    const picked = actual.map((r) => ({ organization: r.organization, rated: r.rated, average: r.average, r1: r.r1, r5: r.r5,
      repeatReviews: r.repeatReviews })
    );
    const by = (a: { organization: unknown }, b: { organization: unknown }) => String(a.organization).localeCompare(String(b.organization));
    expect(picked.sort(by)).toEqual(expected.sort(by));
  });

  it('gives rejections by reason and incidents with their mentions', async () => {
    const pg = await system.db.query<{ reason: string; n: number }>(
      `select data->>'reason' as reason, count(*)::int as n from case_events where to_status = 'rejected' group by 1 order by n desc, reason`,
    );
    const rejections = await table('rejections');
    expect(rejections.map((r) => [r.reason, r.rejected])).toEqual(pg.rows.map((r) => [r.reason, r.n]));
    const incidents = await table('incidents');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.mentions).toBe(plans.filter((p) => p.i % 6 === 0).length);
    const mentions = await table('incidents/inc-test/mentions');
    expect(mentions.map((m) => m.messageId).sort()).toEqual(plans.filter((p) => p.i % 6 === 0).map((p) => p.messageId).sort());
  });

  it('exports the same table as CSV and XLSX', async () => {
    const json = await table('sla?groupBy=category');
    const csv = await (await get('sla?groupBy=category&format=csv')).text();
    const lines = csv.replace(/^\ufeff/, '').trim().split('\n');
    expect(lines[0]).toContain('Доля в срок');
    expect(lines).toHaveLength(json.length + 1);
    const xlsxRes = await get('sla?groupBy=category&format=xlsx');
    expect(xlsxRes.headers.get('content-type')).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsxRes.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(json.length + 1);
    expect(sheet.getRow(2).getCell(3).value).toBe(json[0]!.cases);
  });

  it('re-derives the rollups from events with the same numbers, and applies a retention TTL', async () => {
    const before = { sla: await table('sla'), ratings: await table('ratings'), volume: await table('volume?by=municipality') };
    await system.ch!.command({ query: 'TRUNCATE TABLE case_facts' });
    await system.ch!.command({ query: 'TRUNCATE TABLE messages_hourly' });
    expect(await table('sla')).toEqual([]);
    const rebuilt = await rebuildRollups(system.ch!);
    expect(rebuilt.find((r) => r.table === 'case_facts')!.rows).toBeGreaterThan(0);
    expect({ sla: await table('sla'), ratings: await table('ratings'), volume: await table('volume?by=municipality') }).toEqual(before);
    expect(await applyRetention(system.ch!, 3650)).toBe(true);
    expect(await applyRetention(system.ch!, 3650)).toBe(false);
    const ddl =
      await (await system.ch!.query({ query: "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
        format: 'JSONEachRow' })).json<{ q: string }>();
    expect(ddl[0]!.q).toContain('TTL toDateTime(at) + toIntervalDay(3650)');
    expect(await applyRetention(system.ch!, 0)).toBe(true);
    expect(await table('sla')).toEqual(before.sla);
  });

  it('counts the summary exactly over ranges that cut days at any millisecond, and volume from every rollup', async () => {
    const byPlan = [...plans].sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime());
    const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);
    // Several days with partial first and last days; one cut inside a single day; everything.
    const ranges = [
      { from: ms(byPlan[5]!.registeredAt, 500), to: ms(byPlan[25]!.registeredAt, 1) },
      { from: ms(byPlan[7]!.registeredAt, -1), to: ms(byPlan[7]!.registeredAt, 1001) },
      { from: ms(byPlan[7]!.registeredAt, 1), to: ms(byPlan[7]!.registeredAt, 1001) },
      { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') },
    ];
    for (const r of ranges) {
      // The classified event is one second after registration, the received one at it.
      const cats = await system.db.query<{ category: string; n: number }>(`select category, count(*)::int n from cases
        where registration_number like 'T-%' and registered_at + interval '1 second' >= $1 and registered_at + interval '1 second' < $2
        group by category order by n desc, category`, [r.from, r.to]);
      const srcs = await system.db.query<{ source: string; n: number }>(`select m.source, count(*)::int n from cases c join messages m on m.id = c.message_id
        where c.registration_number like 'T-%' and m.received_at >= $1 and m.received_at < $2 group by m.source order by n desc, m.source`, [r.from, r.to]);
      const res = await fetch(`${system.url}/api/v1/analytics/summary?from=${r.from.toISOString()}&to=${r.to.toISOString()}`);
      const got = (await res.json()) as { byCategory: { category: string; count: number }[]; bySource: { source: string; count: number }[] };
      expect(got.byCategory, JSON.stringify(r)).toEqual(cats.rows.map((x) => ({ category: x.category, count: x.n })));
      expect(got.bySource, JSON.stringify(r)).toEqual(srcs.rows.map((x) => ({ source: x.source, count: x.n })));
    }
    // Each volume shape reads a different rollup (per municipality, region-wide, full); all agree with PostgreSQL.
    const total = async (path: string) => {
      const m = new Map<string, number>();
      for (const row of await table(path)) m.set(String(row.value), (m.get(String(row.value)) ?? 0) + Number(row.messages));
      return Object.fromEntries([...m].sort());
    };
    const pgBy = async (col: string, where = 'true', params: unknown[] = []) =>
      Object.fromEntries(
        (await system.db.query<{ v: string; n: number }>(`select ${col} v, count(*)::int n from cases c join messages m on m.id = c.message_id
        where c.registration_number like 'T-%' and ${where} group by 1 order by 1`, params)).rows.map((x) => [x.v, x.n]).sort(),
      );
    expect(await total('volume?by=municipality&interval=week')).toEqual(await pgBy('c.municipality'));
    expect(await total('volume?by=source')).toEqual(await pgBy('m.source'));
    expect(await total(`volume?by=source&municipality=${encodeURIComponent('город Ачинск')}`)).toEqual(
      await pgBy('m.source', 'c.municipality = $1', ['город Ачинск']),
    );
    expect(await total('volume?by=municipality&category=Дороги')).toEqual(await pgBy('c.municipality', 'c.category = $1', ['Дороги']));
  });

  it('gives poll turnout and results from votes, each vote once although re-emitted', async () => {
    const at = Date.now() - HOUR;
    const votes: AnalyticsEventInput[] = [];
    // poll-a: 5 voters × 2 questions from two municipalities; poll-b: 2 voters × 1 question.
    for (let v = 0; v < 5; v++) {
      for (const q of ['q1', 'q2']) {
        votes.push({ eventId: eventIdFor('vote', 'poll-a', String(v), q), type: 'vote.cast', at: new Date(at + v * 1000).toISOString(),
          authorHash: `voter-${v}`, municipality: MUNICIPALITIES[v % 2]!,
          props: { pollId: 'poll-a', questionId: q, optionId: v < 3 ? 'yes' : 'no', channel: 'vk' } });
      }
    }
    for (let v = 0; v < 2; v++) {
      votes.push({ eventId: eventIdFor('vote', 'poll-b', String(v)), type: 'vote.cast', at: new Date(at + v).toISOString(), authorHash: `voter-${v}`,
        municipality: MUNICIPALITIES[0]!, props: { pollId: 'poll-b', questionId: 'q1', optionId: 'x', channel: 'telegram' } });
    }
    await system.queues.events.add('votes', { events: votes as never });
    await system.queues.events.add('votes-again', { events: votes.slice(0, 6) as never });
    await eventually(async () => (await table('polls')).length === 2 && (await system.queues.events.getJobCounts('waiting', 'active', 'delayed')).waiting === 0,
      20_000, 'votes stored');
    await eventually(async () => (await system.queues.events.getJobCounts('active')).active === 0, 20_000, 're-emitted votes handled');
    const polls = await table('polls');
    expect(polls.map((p) => [p.poll, p.votes, p.participants, p.municipalities])).toEqual([['poll-a', 10, 5, 2], ['poll-b', 2, 2, 1]]);
    expect(polls[0]!.firstAt).toBe(new Date(at).toISOString().replace('T', ' ').replace('Z', ''));
    const results = await table('polls/poll-a');
    expect(results.map((r) => [r.question, r.option, r.votes, r.share])).toEqual([['q1', 'yes', 3, 0.6], ['q1', 'no', 2, 0.4], ['q2', 'yes', 3, 0.6], ['q2',
      'no', 2, 0.4]]);
    // A range cutting poll-a after its third voter.
    const cut = await table(`polls?from=${new Date(at).toISOString()}&to=${new Date(at + 2500).toISOString()}`);
    expect(cut.map((p) => [p.poll, p.votes, p.participants])).toEqual([['poll-a', 6, 3], ['poll-b', 2, 2]]);
  });

  it('needs a login for tables, keeps the summary public and refuses bad filters with 400 JSON', async () => {
    expect((await fetch(`${system.url}/api/v1/analytics/sla`)).status).toBe(401);
    expect((await fetch(`${system.url}/api/v1/analytics/summary`)).status).toBe(200);
    for (const q of ['sla?from=yesterday', 'sla?groupBy=nope', 'volume?source=fax', 'top-problems?limit=0', 'sla?from=2026-02-01&to=2026-01-01',
      'sla?format=pdf'])
    {
      const res = await fetch(`${system.url}/api/v1/analytics/${q}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error, q).toBeTruthy();
    }
  });
});
