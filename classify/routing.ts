import type { TrainOptions } from './model.js';
import type { IncomingMessage } from '../lib/queues.js';
import type { TextModelLike } from './text-model.js';

/**
 * The routing model's place features. It is trained with `--context district` (SPb districts; Otklik's own redirect
 * examples carry the channel's district or the municipality), so the same key carries the finest place we know.
 */
export function routingContext(message: Pick<IncomingMessage, 'place' | 'provenance'>, municipality: string | undefined): Record<string, string> {
  const district = message.provenance.district ?? municipality ?? message.place.municipality;
  return district ? { district } : {};
}

/** Top three organizations with their confidence; the workflow maps labels to organizations and applies its threshold. */
export function suggestOrganizations(model: TextModelLike, message: Pick<IncomingMessage, 'text' | 'place' | 'provenance'>,
  municipality: string | undefined, _category: string): { organization: string; score: number }[] {
  const p = model.predict(message.text, routingContext(message, municipality));
  return p.top.slice(0, 3).map((t) => ({ organization: t.label, score: Math.min(1, Math.max(0, Math.round(t.score * 10_000) / 10_000)) }));
}

/**
 * Training options of the routing model (scripts/train-routing.ts and scripts/eval-routing.ts), chosen on the SPb
 * later-month hold-out; see workflow/routing/README.md for the figures.
 */
export const ROUTING_TRAIN_OPTIONS: Pick<TrainOptions, 'C' | 'classWeight' | 'features'> = {
  C: 0.5,
  classWeight: 'sqrt',
};
