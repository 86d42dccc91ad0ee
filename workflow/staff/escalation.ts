/**
 * Who is not looking. When nobody of an organization has opened the desk or a case for more than a day while a case
 * waits there a day from its deadline (or past it), the organization's leader is told; if still nobody looks, after
 * `curatorAfterHours` (or once the deadline has passed) its curator (or the nearest curator above it) is told too. Each
 * level once per case and review round; the notices are alerts of the topic `escalation`. Only people who have
 * activated their account are escalated to: an invited leader who has not is skipped, and the curator is told at once.
 */
import type pg from 'pg';
import type { RegionRules } from '../../lib/region-config.js';
import { formatDate, formatDateTime } from '../../lib/region-time.js';
import { withTransaction } from '../../lib/transaction.js';
import { OPEN_STATUSES } from '../rules.js';
import { insertNotifications } from '../store/notifications.js';
import { escalationCandidates, nearestCurators, recordEscalation, type EscalationCandidate } from '../store/staff-activity.js';
import { activeUsersWithRole } from '../store/users.js';

/** Nobody looked for longer than this: the organization is idle (ПОС asks for a look at least twice a day). */
export const IDLE_HOURS = 24;
/** A waiting case this close to its deadline is escalated. */
export const ESCALATE_WITHIN_HOURS = 24;
export const CURATOR_AFTER_HOURS = 12;

/** Cases an organization must act on (all open statuses but moderation, which is the region's). */
export const WAITING_STATUSES = OPEN_STATUSES.filter((s) => s !== 'moderation');

const HOUR_MS = 3_600_000;

function escalationText(c: EscalationCandidate, level: 'leader' | 'curator', now: Date, timeZone: string): string {
  const looked = c.lastLookAt ? `последний раз — ${formatDateTime(c.lastLookAt, timeZone)}` : 'ни разу';
  const due = c.deadlineAt.getTime() < now.getTime() ? 'истёк' : 'истекает';
  const head = `В организации «${c.organizationName}» никто не открывал Отклик больше суток (${looked}), `
    + `а срок ответа на обращение № ${c.registrationNumber} ${due} ${formatDate(c.deadlineAt, timeZone)}.`;
  return level === 'leader'
    ? `${head} Проверьте обращения организации и назначьте ответственного.`
    : `${head} ${
      c.leaderAt ?
        `Руководитель уведомлён ${formatDateTime(c.leaderAt, timeZone)}, но в организацию так никто и не заходил.`
        : 'Руководителя в организации нет.'
    }`;
}

async function escalateLevel(db: pg.Pool, level: 'leader' | 'curator', now: Date, region: RegionRules): Promise<number> {
  const candidates = await escalationCandidates(db, { level, now, idleSince: new Date(now.getTime() - IDLE_HOURS * HOUR_MS),
    dueWithinMs: ESCALATE_WITHIN_HOURS * HOUR_MS, afterLeaderMs: CURATOR_AFTER_HOURS * HOUR_MS, waitingStatuses: WAITING_STATUSES });
  let done = 0;
  for (const c of candidates) {
    const escalated = await withTransaction(db, async (sql) => {
      const to = level === 'leader' ? await activeUsersWithRole(sql, c.organizationId, ['leader'], true) : await nearestCurators(sql, c.organizationId);
      if (!(await recordEscalation(sql, { caseId: c.caseId, cycle: c.cycle, level, at: now, recipients: to.length }))) return false;
      // No leader to tell: the curator's turn comes at once.
      if (level === 'leader' && to.length === 0) return true;
      await insertNotifications(sql, { userIds: to, caseId: c.caseId, kind: `escalation-${level}-r${c.cycle}`, topic: 'escalation',
        text: escalationText(c, level, now, region.timeZone), at: now });
      return true;
    });
    if (escalated) done++;
  }
  return done;
}

/** One pass: leaders first, then curators (a leader-less organization's case reaches its curator in the same pass). */
export async function escalateIdleOrganizations(db: pg.Pool, now: Date, region: RegionRules): Promise<{ leader: number; curator: number }> {
  const leader = await escalateLevel(db, 'leader', now, region);
  const curator = await escalateLevel(db, 'curator', now, region);
  return { leader, curator };
}
