/**
 * `otklik demo`: a realistic region in an empty deployment, made by the system's own pipeline. Citizens' messages
 * enter through the real intake — signed 122 call cards and widget forms over HTTP, VK and Telegram payloads through
 * the replay path's normalisers — and staff move every case through the workflow API with their own accounts;
 * ratings come on the citizen-actions queue as a channel hands them in, votes through the ballot box as the
 * Telegram bot casts them.
 *
 * History is backdated honestly: the whole system runs in this process on a clock the demo moves forward from 60
 * days ago (startOtklik's `now`), so registration times, deadlines, every audit entry and analytics event carry the
 * time they would have had. Nothing is written to a table directly. The demo refuses a deployment that already has
 * organizations (running it twice adds nothing).
 */
import { randomBytes } from 'node:crypto';
import { signBody } from '../ingest/contact-center.js';
import { normalizeTelegramPost } from '../ingest/telegram/normalize.js';
import { normalizeVkEvent } from '../ingest/vk/normalize.js';
import { authorHash, normalizePhone } from '../lib/hash.js';
import { uuidV5 } from '../lib/ids.js';
import type { IncomingMessage } from '../lib/queues.js';
import { loadOrCreateSalt } from '../lib/salt.js';
import type { Otklik } from '../main.js';
import { ensureAdmin } from '../workflow/auth.js';
import { bindPublicReads } from '../workflow/public-reads.js';
import { caseIdFor } from '../workflow/register-case.js';
import { CHATTER, MUNICIPALITIES, ORGANIZATIONS, ORG_STAFF, TOPICS, addressIn, answerText, fill, seeded, type Random } from './content.js';
import { createDemoApi, type DemoApi } from './api.js';
import { runPolls } from './polls.js';
import { DAY_MS } from '../lib/time.js';

const DAY = DAY_MS;
const HOUR = 3_600_000;
export const DEMO_SITE = 'https://demo-site.otklik.local';
export const DEMO_VK_GROUP = 100_001;

/** A clock the demo sets; between settings it runs at real speed, so nothing shares one millisecond. */
export function demoClock(start: number) {
  let sim = start;
  let real = Date.now();
  return { now: () => new Date(sim + (Date.now() - real)), set: (t: number) => void ((sim = t), (real = Date.now())) };
}
export type DemoClock = ReturnType<typeof demoClock>;

interface CaseState {
  id: string;
  messageId: string;
  source: string;
  orgId?: string;
  version: number;
  author?: string;
  topic: number;
  vars: { addr: string; n: number };
}
export type Step = { at: number; run: () => Promise<void> };

export interface DemoReport {
  organizations: number;
  staff: { login: string; password: string; role: string; organization: string }[];
  messages: number;
  polls: number;
}

/**
 * The steps of one case after registration, each at its own time; some stop early (overdue work, as in life). An
 * answer takes up to two weeks to write, but no more than a third of the demo's period: a short demo has answers
 * and ratings too.
 */
function planCase(r: Random, demo: DemoRun, c: CaseState, registeredAt: number, days: number, opts: { accepted?: boolean } = {}): Step[] {
  const draftHours = Math.max(48, Math.min(14 * 24, Math.round((days * 24) / 3)));
  const steps: Step[] = [];
  let t = registeredAt + r.int(1, 8) * HOUR;
  if (!opts.accepted && r.chance(0.05)) {
    return [{ at: t, run: () => demo.act(c, 'moderator', 'reject', { reason: 'Сообщение не содержит обращения по существу' }) }];
  }
  // Federal services' terms are days long, and their appeals wait on others: more of them stall (overdue work).
  const stall = r.chance(TOPICS[c.topic]!.federal ? 0.5 : 0.15) ? r.int(1, 4) : 99;
  if (!opts.accepted) steps.push({ at: t, run: () => demo.accept(c) });
  // Most answers come within days; a fifth take long (the late ones of the SLA panels). A case made from signals has an
  // answer term in hours, and its organization answers within the day or two.
  const hours = opts.accepted ?
    [r.int(1, 4), r.int(1, 6), r.int(4, 30), r.int(1, 3), r.int(1, 8)]
    : [r.int(3, 30), r.int(2, 48), r.chance(0.8) ? r.int(24, 96) : r.int(24, draftHours), r.int(1, 6), r.int(2, 40)];
  const chain: [string, string, () => Record<string, unknown>, number][] = [
    ['coordinator', 'assign', () => ({ executorId: demo.executorOf(c) }), hours[0]!],
    ['executor', 'start', () => ({}), hours[1]!],
    ['executor', 'save-draft',
      () => ({ text: demo.answer(c), attachments: TOPICS[c.topic]!.photo ? [{ kind: 'photo', ref: `https://demo-photo.otklik.local/${c.id}.jpg` }] : [] }),
      hours[2]!],
    ['executor', 'submit', () => ({}), hours[3]!],
    ['leader', 'approve', () => ({}), hours[4]!],
  ];
  chain.forEach(([role, action, body, hours], i) => {
    t += hours * HOUR;
    if (i < stall) steps.push({ at: t, run: () => demo.act(c, role, action, body()) });
  });
  if (stall === 99 && c.author && r.chance(0.8)) {
    const rating = r.pick([5, 5, 5, 5, 4, 4, 4, 3, 2, 1]);
    steps.push({ at: t + r.int(6, 60) * HOUR, run: () => demo.rate(c, rating) });
  }
  return steps;
}

class DemoRun {
  readonly cases = new Map<string, CaseState>();
  /** What the monitoring found, by message id, until the team accepts its incident. */
  readonly signals = new Map<string, CaseState>();
  readonly executors = new Map<string, string>();
  orgs = new Map<string, { id: string; name: string }>();
  tokens = new Map<string, string>();
  constructor(readonly system: Otklik, readonly api: DemoApi, readonly clock: DemoClock, readonly salt: string, readonly secret: string, readonly r: Random) {}

  private orgCode(c: CaseState): string {
    return [...this.orgs.entries()].find(([, o]) => o.id === c.orgId)?.[0] ?? 'region-coordination';
  }

  /** The executor a coordinator picks; remembered, so the same person works on the case afterwards. */
  executorOf(c: CaseState): string {
    const login = `${this.orgCode(c)}.executor${this.r.int(1, 2)}`;
    this.executors.set(c.id, login);
    return this.api.userIds.get(login)!;
  }

  answer(c: CaseState): string {
    const org = [...this.orgs.values()].find((o) => o.id === c.orgId)?.name ?? 'Центр управления регионом';
    return answerText(TOPICS[c.topic]!, c.vars, org);
  }

  async accept(c: CaseState): Promise<void> {
    const r = await this.api.call('demo.moderator1', 'POST', `/api/v1/cases/${c.id}/accept`, { expectedVersion: c.version });
    if (r.status !== 200) return;
    c.version = r.body.version as number;
    c.orgId = (r.body.organizationId as string | null) ?? undefined;
  }

  async act(c: CaseState, role: string, action: string, body: Record<string, unknown>): Promise<void> {
    const login = role === 'moderator'
      ? 'demo.moderator1'
      : role === 'executor'
      ? this.executors.get(c.id) ?? `${this.orgCode(c)}.executor1`
      : `${this.orgCode(c)}.${role}`;
    const r = await this.api.call(login, 'POST', `/api/v1/cases/${c.id}/${action}`, { expectedVersion: c.version, ...body });
    if (r.status === 200) c.version = r.body.version as number;
  }

  /**
   * The monitoring team's round over the new incidents of signals (what was found on VK walls and in Telegram
   * groups): most are accepted and routed (each becomes one case the organizations work), some get the public
   * «взято в работу» first, the chatter is rejected. Nothing is answered on a network without the team.
   */
  async sweepSignals(r: Random, at: number, days: number): Promise<Step[]> {
    const list = await this.api.call('demo.moderator1', 'GET', '/api/v1/dashboard/monitoring/incidents?status=new&limit=100');
    const steps: Step[] = [];
    for (const x of (list.body.items ?? []) as { id: string; version: number; kind: string; leadMessageId: string }[]) {
      const path = `/api/v1/dashboard/monitoring/incidents/${x.id}`;
      if (x.kind === 'other') {
        await this.api.call('demo.moderator1', 'POST', `${path}/reject`, { expectedVersion: x.version, reason: 'Не жалоба: благодарность или разговор' });
        continue;
      }
      let version = x.version;
      if (r.chance(0.3)) {
        const interim = await this.api.call('demo.moderator1', 'POST', `${path}/interim`, { expectedVersion: version });
        if (interim.status === 200) version = ((await this.api.call('demo.moderator1', 'GET', path)).body.incident as { version: number }).version;
      }
      if (r.chance(0.15)) continue; // left for the next round: time to first reaction grows
      const accepted = await this.api.call('demo.moderator1', 'POST', `${path}/accept`, { expectedVersion: version, autoRoute: true });
      if (accepted.status !== 200) continue;
      const caseId = accepted.body.caseId as string;
      const now = (await this.api.call('demo.moderator1', 'GET', `/api/v1/cases/${caseId}`)).body as { version: number; organizationId: string | null;
        source: string };
      const signal = [...this.signals.values()].find((c) => c.messageId === x.leadMessageId);
      const c: CaseState = { id: caseId, messageId: x.leadMessageId, source: now.source, orgId: now.organizationId ?? undefined, version: now.version,
        topic: signal?.topic ?? 0, vars: signal?.vars ?? { addr: '', n: 1 } };
      this.cases.set(caseId, c);
      if (c.orgId) steps.push(...planCase(r, this, c, at, days, { accepted: true }));
    }
    return steps;
  }

  /** The citizen's rating, handed in as a channel hands it in: the author's hash as the channel computed it. */
  async rate(c: CaseState, rating: number): Promise<void> {
    await this.system.queues.citizenActions.add('rating', {
      actionId: uuidV5(`demo-rating:${c.id}`),
      kind: 'rating',
      messageId: c.messageId,
      source: c.source as IncomingMessage['source'],
      authorHash: c.author!,
      rating,
      at: this.clock.now().toISOString(),
    }, { jobId: `demo-rating-${c.id}` });
    c.version += 1;
  }
}

/** The widget's rubric for each topic of content.ts. */
const WIDGET_CATEGORY = ['ЖКХ', 'Дороги', 'ЖКХ', 'Благоустройство', 'Благоустройство', 'Здравоохранение', 'Образование', 'Общественный транспорт',
  'Социальная защита', 'Экология', 'Благоустройство', 'Другое'] as const;

async function accepted<T>(res: Response, channel: string): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (res.status !== 202) throw new Error(`demo: the ${channel} intake answered ${res.status}: ${body.error ?? ''}`);
  return body;
}

/** One citizen message of a day: through the channel it came by. Returns its message id and the author's hash. */
async function feed(demo: DemoRun, i: number, at: number): Promise<CaseState | undefined> {
  const { r, system, salt } = demo;
  const municipality = r.pick(MUNICIPALITIES);
  const chatter = r.chance(0.06);
  const topic = r.int(0, TOPICS.length - 1);
  const vars = { addr: addressIn(r, municipality), n: r.int(2, 150) };
  const text = chatter ? fill(r.pick(CHATTER), vars) : fill(r.pick(TOPICS[topic]!.texts), vars);
  const channel = r.pick(['contact_center', 'contact_center', 'widget', 'widget', 'vk', 'vk', 'telegram']);
  const phone = `+7 913 ${r.digits(3)}-${r.digits(2)}-${r.digits(2)}`;
  const base = { topic, vars, version: 0 };
  if (channel === 'contact_center') {
    const card = JSON.stringify({ callId: `demo-${i}`, receivedAt: new Date(at).toISOString(), text, phone, municipality, address: vars.addr });
    const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST', body: card,
      headers: { 'content-type': 'application/json', 'x-signature': signBody(demo.secret, card) } });
    const { messageId } = await accepted<{ messageId: string }>(res, '122');
    return { ...base, id: caseIdFor(messageId), messageId, source: channel, author: authorHash(salt, 'contact_center', normalizePhone(phone)) };
  }
  if (channel === 'widget') {
    const body = JSON.stringify({ idempotencyKey: uuidV5(`demo-widget:${i}`), org: 'krai', category: WIDGET_CATEGORY[topic] ?? 'Другое', text,
      address: vars.addr, phone, consent: true });
    const res = await fetch(`${system.url}/api/v1/widget/messages`, { method: 'POST', body,
      headers: { 'content-type': 'application/json', origin: DEMO_SITE } });
    const { messageId } = await accepted<{ messageId: string }>(res, 'widget');
    return { ...base, id: caseIdFor(messageId), messageId, source: channel, author: authorHash(salt, 'widget', normalizePhone(phone)) };
  }
  const date = Math.floor(at / 1000);
  const normalized = channel === 'vk'
    ? normalizeVkEvent({ type: 'wall_reply_new', group_id: DEMO_VK_GROUP,
      object: { id: 10_000 + i, from_id: 500_000 + r.int(1, 5000), date, text, owner_id: -DEMO_VK_GROUP, post_owner_id: -DEMO_VK_GROUP, post_id: r.int(1, 40),
        parents_stack: [], attachments: [] } }, { salt, ownGroupIds: [DEMO_VK_GROUP], provenance: { via: 'replay' } })
    : normalizeTelegramPost(
      { message_id: 20_000 + i, date, text, from: { id: 4_000_000 + r.int(1, 5000), is_bot: false, first_name: 'Житель' },
        chat: { id: -1_001_000_000_001, type: 'supergroup', title: 'Красноярск: жалобы и предложения' } } as never,
      { salt },
    );
  if (!normalized.ok) return undefined;
  await system.ingest!.intake.acceptMany([normalized.message]);
  return { ...base, id: caseIdFor(normalized.message.messageId), messageId: normalized.message.messageId, source: channel };
}

/** The days of the demo: a few messages each (more on weekdays), every step of every case at its time. */
async function timeline(demo: DemoRun, days: number, start: number, extra: Step[]): Promise<number> {
  const { r, clock } = demo;
  const steps: Step[] = [...extra].sort((a, b) => a.at - b.at);
  const stored = bindPublicReads(demo.system.db).storedMessageIds;
  let n = 0;
  for (let d = 0; d < days; d++) {
    for (const slot of [9, 13, 18]) {
      const at = start + d * DAY + slot * HOUR;
      while (steps.length && steps[0]!.at <= at) {
        const s = steps.shift()!;
        clock.set(s.at);
        await s.run();
      }
      clock.set(at);
      const weekday = new Date(at).getUTCDay() % 6 !== 0;
      const batch: CaseState[] = [];
      for (let k = r.int(weekday ? 1 : 0, weekday ? 4 : 2); k > 0; k--) {
        const c = await feed(demo, n++, at - r.int(5, 170) * 60_000);
        if (c) batch.push(c);
      }
      await waitFor(async () => (await stored(batch.map((c) => c.messageId))).length === batch.length, 'messages registered');
      for (const c of batch) {
        if (c.source === 'vk' || c.source === 'telegram') {
          demo.signals.set(c.messageId, c);
          continue;
        }
        demo.cases.set(c.id, c);
        steps.push(...planCase(r, demo, c, at, days));
      }
      steps.push(...await demo.sweepSignals(r, at, days));
      steps.sort((a, b) => a.at - b.at);
    }
  }
  const end = start + days * DAY;
  for (const s of steps.filter((x) => x.at <= end)) {
    clock.set(s.at);
    await s.run();
  }
  return n;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the demo against a started system (all roles, the demo's clock) and returns the accounts it made. */
export async function runDemo(system: Otklik, clock: DemoClock,
  opts: { days: number; seed: number; start: number; contactCenterSecret: string; progress: (line: string) => void }): Promise<DemoReport>
{
  const salt = await loadOrCreateSalt(system.db, system.config.hashSalt);
  const adminPassword = randomBytes(9).toString('base64url');
  await ensureAdmin(system.db, 'demo.admin', adminPassword);
  const api = createDemoApi(system.url!);
  await api.login('demo.admin', adminPassword);
  const existing = await api.call('demo.admin', 'GET', '/api/v1/organizations?limit=1');
  if ((existing.body.items as unknown[]).length > 0) {
    throw new Error('в этой установке уже есть организации: демо загружается только в пустую установку. Запустите его с другим OTKLIK_DATA_DIR');
  }
  const r = seeded(opts.seed);
  const demo = new DemoRun(system, api, clock, salt, opts.contactCenterSecret, r);
  clock.set(opts.start);
  opts.progress('организации и сотрудники…');
  demo.orgs = await api.createOrganizations(ORGANIZATIONS, r);
  const staff = await api.createStaff(demo.orgs, ORG_STAFF, r);
  opts.progress('голосования…');
  const polls = await runPolls(system, api, r, { start: opts.start, days: opts.days });
  opts.progress(`обращения за ${opts.days} дней…`);
  const messages = await timeline(demo, opts.days, opts.start, polls.steps);
  clock.set(opts.start + opts.days * DAY);
  return { organizations: demo.orgs.size,
    staff: [{ login: 'demo.admin', password: adminPassword, role: 'Администратор региона', organization: 'весь регион' }, ...staff], messages,
    polls: polls.count };
}
