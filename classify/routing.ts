import { ORGANIZATION_TYPE, type RoutingTrainOptions } from './routing-train.js';
import type { IncomingMessage } from '../lib/queues.js';
import type { TextModel } from './text-model.js';

/**
 * The routing model's place features. It is trained with `--context district` (SPb districts; Otklik's own redirect
 * examples carry the channel's district or the municipality), so the same key carries the finest place we know.
 */
export function routingContext(message: Pick<IncomingMessage, 'place' | 'provenance'>, municipality: string | undefined): Record<string, string> {
  const district = message.provenance.district ?? municipality ?? message.place.municipality;
  return district ? { district } : {};
}

/** Top three organizations with their confidence; the workflow maps labels to organizations and applies its threshold. */
export function suggestOrganizations(model: TextModel, message: Pick<IncomingMessage, 'text' | 'place' | 'provenance'>,
  municipality: string | undefined): { organization: string; score: number }[]
{
  const prediction = model.predict(message.text, routingContext(message, municipality));
  return prediction.top.slice(0, 3).map((t) => ({ organization: t.label, score: Math.min(1, Math.max(0, Math.round(t.score * 10_000) / 10_000)) }));
}

/**
 * Training options of the routing model (scripts/train-routing.ts, scripts/eval-routing.ts and `otklik train
 * --topic`), chosen on a February 2021 validation month of the SPb data (trained Oct 2020 – Jan 2021); see
 * workflow/routing/README.md for the figures. District × word conjunctions let the direct model learn which body
 * handles a topic in which district; the two topic priors add P(organization | district, topic) for the topic
 * predicted from the text: the portal's `reason` (training only) and the organization's type (label with the place
 * masked), which pools e.g. every district's housing agency into one class with ten times the examples.
 */
export const ROUTING_TRAIN_OPTIONS = {
  C: 0.5,
  classWeight: 'sqrt',
  features: { crossContext: 2 },
  // Weights within ±1 int8 level of zero dropped: the file shrinks by a fifth (9.9 → 7.8 MB), 99.6% of predictions unchanged.
  prune: 1,
  placeKey: 'district',
  priors: [
    { topic: 'reason', weight: 1 },
    { topic: ORGANIZATION_TYPE, weight: 0.5 },
  ],
} satisfies RoutingTrainOptions;

/**
 * Text only (no place at prediction): the reason prior summed over the districts a place model reads from the text
 * (addresses, landmarks); the district is a training-only column here, like `reason`. The type prior is left out:
 * without a place it only blurs the districts' bodies together.
 */
export const ROUTING_TEXT_ONLY_OPTIONS = {
  C: 0.5,
  classWeight: 'sqrt',
  prune: 1,
  placeKey: 'district',
  priors: [{ topic: 'reason', weight: 1, predictPlace: true }],
} satisfies RoutingTrainOptions;
