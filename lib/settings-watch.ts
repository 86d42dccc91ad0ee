/**
 * How a settings change reaches a running process: every process polls the settings version (one cheap row) and
 * re-reads the settings when it moves; the process where the change was made is nudged at once. Polling PostgreSQL
 * needs nothing more than what every process already has, and a missed poll only delays a change by one interval.
 */
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Sealer } from './seal.js';
import { applyChannelSettings, REGION_SETTING_KEY, type RegionOverride, type StoredSettings } from './settings.js';

export { applyRegionOverride } from './settings.js';

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

/** Settings set in the UI laid over the environment's and the region file's, re-read when their version moves. */
export interface LiveSettings {
  envConfig: Config;
  sealer: Sealer;
  config(): Config;
  region(): RegionOverride | undefined;
  onChange(listener: () => void): void;
  nudge(): void;
  stop(): void;
}

/** The stored settings (read by the workflow's functions main.ts hands in) kept current in this process. */
export async function liveSettings(
  opts: { envConfig: Config; sealer: Sealer; logger: Logger; version: () => Promise<number>; load: () => Promise<StoredSettings>; intervalMs?: number },
): Promise<LiveSettings> {
  let stored = await opts.load();
  const listeners: (() => void)[] = [];
  const watch = watchSettings({
    version: opts.version,
    load: opts.load,
    initialVersion: await opts.version(),
    logger: opts.logger,
    intervalMs: opts.intervalMs,
    apply: (next) => {
      stored = next;
      for (const l of listeners) l();
    },
  });
  return {
    envConfig: opts.envConfig,
    sealer: opts.sealer,
    config: () => applyChannelSettings(opts.envConfig, stored),
    region: () => stored[REGION_SETTING_KEY] as RegionOverride | undefined,
    onChange: (l) => void listeners.push(l),
    nudge: () => watch.nudge(),
    stop: () => watch.stop(),
  };
}
