import type { Logger } from './logger.js';

/**
 * A process's shutdown as named steps run one after another, once however often it is asked for: a failed step
 * is logged and the next one still runs, so one stuck client cannot keep the others open.
 */
export function inSteps(logger: Logger, steps: { name: string; run: () => Promise<unknown> }[]): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= (async () => {
    for (const { name, run } of steps) {
      const started = Date.now();
      try {
        await run();
      } catch (err) {
        logger.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
      }
      logger.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
    }
    logger.info('Otklik stopped');
  })());
}
