/** `otklik demo` / `npm run demo`: starts the whole system on the demo's clock, runs the demo, waits, stops. */
import { randomBytes } from 'node:crypto';
import { ROLES, type Config, type Role } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import type { Otklik } from '../main.js';
import { DEMO_SITE, demoClock, runDemo, waitFor } from './run.js';
import { DAY_MS } from '../lib/time.js';

const DAY = DAY_MS;

type Start = (config: Config, roles: Role[], logger: Logger, now: () => Date) => Promise<Otklik>;

/** Nothing left to do in the queues that carry the demo's work (delayed reminders excepted: they wait for their day). */
async function drained(system: Otklik): Promise<boolean> {
  const q = system.queues;
  const counts = await Promise.all(
    [q.incoming, q.classified, q.citizenActions, q.events, q.outbound].map((x) => x.getJobCounts('waiting', 'active', 'prioritized')),
  );
  return counts.every((c) => Object.values(c).every((n) => n === 0));
}

/**
 * `until`: the demo's history ends at this day's UTC midnight (default today). Weekdays get more messages than
 * weekends, so with a fixed seed the same weekday of `until` gives the same region every time.
 */
export async function demoCommand(start: Start, config: Config, opts: { days: number; seed: number; until?: Date },
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void>
{
  const secret = randomBytes(16).toString('hex');
  // The demo's own channel settings, for this run only: nothing of them is stored, so `npm start` begins with its own.
  // Its log stays quiet unless something breaks: replies to VK and Telegram threads fail by design here (no tokens), and
  // the summary says so once instead of a warning per reply.
  const demoConfig: Config = { ...config, logLevel: config.logLevel === 'info' ? 'error' : config.logLevel, contactCenterSecret: secret,
    widget: { ...config.widget, allowedOrigins: [DEMO_SITE], ipLimitPerHour: 1_000_000, contactLimitPerDay: 1_000 } };
  const today = new Date(opts.until ?? Date.now());
  today.setUTCHours(0, 0, 0, 0);
  const startAt = today.getTime() - opts.days * DAY;
  const clock = demoClock(startAt);
  out(`Отклик: загружаю демо за ${opts.days} дней в ${config.dataDir} …`);
  const system = await start(demoConfig, [...ROLES], createLogger(demoConfig.logLevel), clock.now);
  const began = Date.now();
  try {
    const report = await runDemo(system, clock, { days: opts.days, seed: opts.seed, start: startAt, contactCenterSecret: secret, progress: (l) =>
      out(`  ${l}`) });
    clock.set(Date.now());
    await waitFor(() => drained(system), 'the queues to drain', 300_000);
    out(
      `\nГотово за ${
        Math.round((Date.now() - began) / 1000)
      } с: организаций ${report.organizations}, сообщений ${report.messages}, голосований ${report.polls}.`,
    );
    out('Учётные записи (пароли показаны один раз — сохраните их):');
    for (const s of report.staff) out(`  ${s.login.padEnd(34)} ${s.password.padEnd(14)} ${s.role}, ${s.organization}`);
    out('\nОтветы в ветки ВКонтакте и Telegram в демо не отправлены — эти каналы не настроены; в мониторинге они видны как недоставленные.');
    out('Теперь запустите `npm start` и откройте http://localhost:3000 (вход для сотрудников — /login).');
  } finally {
    await system.stop();
  }
}
