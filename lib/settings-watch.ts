/**
 * How a settings change reaches a running process: every process polls the settings version (one cheap row) and
 * re-reads the settings when it moves; the process where the change was made is nudged at once. Polling PostgreSQL
 * needs nothing more than what every process already has, and a missed poll only delays a change by one interval.
 */
import type { Logger } from './logger.js';

export interface SettingsWatch {
  /** Check now (after a change made in this process). */
  nudge(): void;
  stop(): void;
}

export function watchSettings<T>(opts: {
  version: () => Promise<number>;
  load: () => Promise<T>;
  apply: (settings: T) => void;
  initialVersion: number;
  intervalMs?: number;
  logger: Logger;
}): SettingsWatch {
  let seen = opts.initialVersion;
  let running: Promise<void> | undefined;
  const check = () => {
    running ??= (async () => {
      try {
        const v = await opts.version();
        if (v === seen) return;
        opts.apply(await opts.load());
        seen = v;
        opts.logger.info({ version: v }, 'settings changed; applied');
      } catch (err) {
        opts.logger.warn({ err: (err as Error).message }, 'settings check failed; retried at the next interval');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(check, opts.intervalMs ?? 5000);
  timer.unref();
  return { nudge: check, stop: () => clearInterval(timer) };
}
