import { HttpError } from '../lib/api-builder.js';
import type { Logger } from '../lib/logger.js';
import type { NetworkSource } from '../lib/sources.js';
import type { Intake } from './intake.js';
import type { Normalized } from './normalized.js';

/**
 * A webhook's event, normalised, into the intake before the network hears its answer: one that is no message is
 * counted and acknowledged (a redelivery would be no different); one the queue cannot take answers 503, so the
 * network delivers it again.
 */
export async function acceptOrAskAgain(intake: Intake, network: NetworkSource, n: Normalized, log: Logger, what: string): Promise<void> {
  if (!n.ok) return intake.stats.dropped(network, n.reason);
  try {
    await intake.accept(n.message);
  } catch (err) {
    await intake.stats.failed(network);
    log.error({ err: (err as Error).message }, `could not enqueue ${what}`);
    throw new HttpError(503, 'queue is unavailable, retry later');
  }
}
