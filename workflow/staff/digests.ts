/**
 * Digests twice a day (ПОС: «отслеживать поступление обращений не реже двух раз в день»): at the region's digest
 * times (config/region.yaml `digests`, in its zone) a BullMQ job scheduler with a cron pattern and the zone starts a
 * job; each user with a channel gets what waits for them by role and what is within 3 calendar days of its deadline
 * (a curator: in every organization below theirs too). Users with nothing to do get nothing. One digest per user per
 * slot, however often the job runs.
 */
import type pg from 'pg';
import type { RegionRules } from '../../lib/region-config.js';
import { addDays, calendarDaysBetween, formatDate, formatDateTime, latestSlot, localDate, zonedInstant } from '../../lib/region-time.js';
import { withTransaction } from '../../lib/transaction.js';
import { enqueue } from '../outbox.js';
import { OPEN_STATUSES } from '../rules.js';
import { digestRecipients, type AlertRecipient } from '../store/staff-alerts.js';
import { claimDigest, digestCases, type DigestCase } from '../store/staff-digests.js';
import { caseUrl, MAX_LINKS, plural, staffOutbound, staffTargets, type StaffMail } from './mail.js';

/** «Close to its deadline»: within this many calendar days of the region (or past it). */
export const NEAR_DEADLINE_DAYS = 3;
const MAX_LINES = 25;

export const STATUS_TITLES: Record<string, string> = {
  moderation: 'на модерации',
  routed: 'направлено в организацию',
  assigned: 'назначен исполнитель',
  in_progress: 'в работе',
  draft: 'черновик ответа',
  on_approval: 'на утверждении',
  returned: 'возвращено на доработку',
  approved: 'утверждено',
  repeat_review: 'повторное рассмотрение',
};

export interface DigestOptions {
  publicUrl: string;
  region: RegionRules;
}

function dueText(c: DigestCase, at: Date, timeZone: string): string {
  const date = formatDate(c.deadlineAt, timeZone);
  if (c.deadlineAt.getTime() < at.getTime()) return `срок истёк ${date}`;
  const days = calendarDaysBetween(at, c.deadlineAt, timeZone);
  return days === 0 ? `срок сегодня, ${date}` : `срок до ${date} (${days} ${plural(days, 'день', 'дня', 'дней')})`;
}

const line = (c: DigestCase, at: Date, timeZone: string) =>
  `• № ${c.registrationNumber} — ${STATUS_TITLES[c.status] ?? c.status}, ${c.category}${c.organizationName ? `, ${c.organizationName}` : ''}; ${
    dueText(c, at, timeZone)
  }`;

function section(title: string, cases: DigestCase[], at: Date, timeZone: string): string[] {
  if (cases.length === 0) return [];
  const more = cases.length - MAX_LINES;
  return ['', `${title}: ${cases.length}`, ...cases.slice(0, MAX_LINES).map((c) => line(c, at, timeZone)), ...(more > 0 ? [`…и ещё ${more}`] : [])];
}

/** The digest of one user at a slot; undefined when nothing waits and nothing is near its deadline. */
export function digestMail(u: Pick<AlertRecipient, 'displayName'>, cases: DigestCase[], slot: Date, opts: DigestOptions): StaffMail | undefined {
  if (cases.length === 0) return undefined;
  const tz = opts.region.timeZone;
  const waiting = cases.filter((c) => c.waiting);
  const near = cases.filter((c) => !c.waiting);
  const overdue = cases.filter((c) => c.deadlineAt.getTime() < slot.getTime()).length;
  const text = [
    `Здравствуйте, ${u.displayName}!`,
    `Сводка Отклика на ${formatDateTime(slot, tz)}.`,
    ...section('Ждут ваших действий', waiting, slot, tz),
    ...section(`Срок истекает в ближайшие ${NEAR_DEADLINE_DAYS} дня`, near, slot, tz),
    '',
    `Рабочий стол: ${opts.publicUrl}/desk`,
  ].join('\n');
  const links = cases.slice(0, MAX_LINKS - 1).map((c) => ({ title: `Обращение № ${c.registrationNumber}`, url: caseUrl(opts.publicUrl, c.id) }));
  links.push({ title: 'Рабочий стол', url: `${opts.publicUrl}/desk` });
  const subject = `Отклик: сводка на ${formatDateTime(slot, tz)} — ждут действий: ${waiting.length}${overdue ? `, просрочено: ${overdue}` : ''}`;
  return { kind: 'staff_digest', subject, text, links };
}

/**
 * The digest job for the instant `at`: the slot is the latest digest time at or before it (a job that runs late or
 * twice still sends each user one digest of that slot). Returns the slot and how many users were sent one.
 */
export async function sendDigests(db: pg.Pool, at: Date, opts: DigestOptions): Promise<{ slot: Date; sent: number }> {
  const slot = latestSlot(at, opts.region.digestTimes, opts.region.timeZone);
  // Calendar days of the region, as terms are counted: at 09:00 on the 4th, «within 3 days» is up to the end of the 7th.
  const tz = opts.region.timeZone;
  const nearBefore = zonedInstant(addDays(localDate(slot, tz), NEAR_DEADLINE_DAYS + 1), tz);
  let sent = 0;
  for (const u of await digestRecipients(db)) {
    const ok = await withTransaction(db, async (sql) => {
      const cases = await digestCases(sql, u.userId, { openStatuses: OPEN_STATUSES, nearBefore, limit: 200 });
      if (!(await claimDigest(sql, u.userId, slot, at, cases.length))) return false;
      const mail = digestMail(u, cases, slot, opts);
      if (!mail) return false;
      await enqueue(sql, staffOutbound(staffTargets(u), mail, `${u.userId}:${slot.toISOString()}`));
      return true;
    });
    if (ok) sent++;
  }
  return { slot, sent };
}

/** The scheduler id and cron pattern of each digest time: `0 9 * * *` for 09:00, in the region's zone. */
export const digestSchedules = (region: RegionRules) =>
  region.digestTimes.map((time) => {
    const [hour, minute] = time.split(':').map(Number);
    return { id: `staff-digest-${time}`, pattern: `${minute} ${hour} * * *`, tz: region.timeZone };
  });
