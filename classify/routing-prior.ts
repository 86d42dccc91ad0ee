import { z } from 'zod';
import { softmaxInto, topIndices } from './probabilities.js';
import { normalizeCase } from './text.js';

/**
 * Topic prior of the routing model: P(organization | place, topic) counted on the training rows, marginalised over
 * the topics a text model predicts from the text alone. The responsible body depends on place AND topic (district
 * housing agency vs district administration vs a city committee), and a linear model over place × word conjunctions
 * learns that interaction from far fewer examples per cell than a count table keyed by a predicted topic needs.
 * The topic (e.g. the portal's `reason`) is only needed at training time: at prediction time it is inferred.
 */

/** Sparse counts: [label index, count, label index, count, …]. */
const sparseCounts = z.array(z.number().int().min(0));

export const topicPriorSchema = z.object({
  /** Mixing weight of log P(organization | place, topic) against the direct model's log-probabilities. */
  weight: z.number().min(0),
  /** How many of the most likely topics are marginalised over. */
  topN: z.number().int().min(1),
  /** Pseudo-counts of the back-off place × topic → topic → all organizations. */
  placeSmoothing: z.number().min(0),
  topicSmoothing: z.number().min(0),
  /** Context key holding the place (absent: text-only prior). */
  contextKey: z.string().optional(),
  /**
   * Optional place model (text → place, a formatVersion 1 text-model file): when the context names no place, the
   * prior is summed over the `placeTopN` places it predicts (addresses and landmarks in the text tell the district).
   */
  placeModel: z.record(z.string(), z.unknown()).optional(),
  placeTopN: z.number().int().min(1).optional(),
  /** The topic model: a formatVersion 1 text-model file, read by linear-text-model.ts. */
  topicModel: z.record(z.string(), z.unknown()),
  /** Per topic (topic model label order): organization counts. */
  byTopic: z.array(sparseCounts),
  /** Per normalised place: per topic, organization counts. */
  byPlaceTopic: z.record(z.string(), z.array(sparseCounts)),
});

export type TopicPriorFile = z.infer<typeof topicPriorSchema>;

/** What the prior needs from its topic model (a LinearTextModel; kept structural so linear-text-model.ts can own that class). */
export interface TopicScorer {
  readonly labels: readonly string[];
  readonly temperature: number;
  margins(text: string): Float64Array;
}

const PROB_FLOOR = 1e-6;

export function placeKey(value: string): string {
  return normalizeCase(value.trim());
}

export class TopicPrior {
  readonly spec: TopicPriorFile;
  private readonly topics: TopicScorer;
  private readonly places: TopicScorer | undefined;
  /** Per place model label: its place × topic table, or P(organization | topic) for a place never counted. */
  private readonly placeTables: Float64Array[] = [];
  private readonly placeProbs: Float64Array;
  private readonly placeOrder: Int32Array;
  private readonly K: number;
  private readonly T: number;
  /** P(organization | topic), topic-major, T × K. */
  private readonly byTopic: Float64Array;
  /** Per place: P(organization | place, topic), T × K. */
  private readonly byPlace = new Map<string, Float64Array>();
  private readonly probs: Float64Array;
  private readonly mix: Float64Array;
  private readonly order: Int32Array;

  constructor(spec: TopicPriorFile, topics: TopicScorer, nLabels: number, places?: TopicScorer) {
    this.spec = spec;
    this.topics = topics;
    this.places = places;
    this.K = nLabels;
    this.T = topics.labels.length;
    if (spec.byTopic.length !== this.T) throw new Error('topic prior: byTopic does not match the topic model labels');
    const K = nLabels;
    const total = new Float64Array(K);
    for (const counts of spec.byTopic) addSparse(total, counts, K);
    const n = total.reduce((s, x) => s + x, 0);
    // Add-one over organizations: the last resort when neither place nor topic was ever seen.
    const base = Float64Array.from(total, (c) => (c + 1) / (n + K));
    this.byTopic = new Float64Array(this.T * K);
    for (let t = 0; t < this.T; t++) smoothInto(this.byTopic, t * K, spec.byTopic[t]!, base, 0, spec.topicSmoothing, K);
    for (const [place, perTopic] of Object.entries(spec.byPlaceTopic)) {
      if (perTopic.length !== this.T) throw new Error('topic prior: byPlaceTopic does not match the topic model labels');
      const table = new Float64Array(this.T * K);
      for (let t = 0; t < this.T; t++) smoothInto(table, t * K, perTopic[t]!, this.byTopic, t * K, spec.placeSmoothing, K);
      this.byPlace.set(place, table);
    }
    this.probs = new Float64Array(this.T);
    this.mix = new Float64Array(K);
    this.order = new Int32Array(Math.min(spec.topN, this.T));
    for (const label of places?.labels ?? []) this.placeTables.push(this.byPlace.get(placeKey(label)) ?? this.byTopic);
    this.placeProbs = new Float64Array(places?.labels.length ?? 0);
    this.placeOrder = new Int32Array(Math.min(spec.placeTopN ?? 5, this.placeProbs.length));
  }

  /** Adds weight × log P(organization | place, text) to `scores` (length = organizations). */
  addTo(scores: Float64Array, text: string, context?: Record<string, string>): void {
    const K = this.K;
    const key = this.spec.contextKey;
    const value = key !== undefined ? context?.[key] : undefined;
    const known = value !== undefined && value.trim() !== '';
    const probs = this.probs;
    softmaxInto(this.topics.margins(text), this.topics.temperature, probs);
    const n = topIndices(probs, this.order);
    const mix = this.mix;
    mix.fill(0);
    if (!known && this.places) {
      const pp = this.placeProbs;
      softmaxInto(this.places.margins(text), this.places.temperature, pp);
      const np = topIndices(pp, this.placeOrder);
      for (let i = 0; i < np; i++) {
        const p = this.placeOrder[i]!;
        this.mixTopics(this.placeTables[p]!, pp[p]!, n);
      }
    } else {
      this.mixTopics((known && this.byPlace.get(placeKey(value))) || this.byTopic, 1, n);
    }
    const weight = this.spec.weight;
    for (let k = 0; k < K; k++) scores[k] = scores[k]! + weight * Math.log(mix[k]! + PROB_FLOOR);
  }

  /** mix += placeWeight × Σ over the top `n` topics of P(topic | text) × table[topic]. */
  private mixTopics(table: Float64Array, placeWeight: number, n: number): void {
    const K = this.K;
    const mix = this.mix;
    for (let j = 0; j < n; j++) {
      const t = this.order[j]!;
      const w = placeWeight * this.probs[t]!;
      const base = t * K;
      for (let k = 0; k < K; k++) mix[k] = mix[k]! + w * table[base + k]!;
    }
  }
}

function addSparse(out: Float64Array, counts: readonly number[], K: number): void {
  for (let i = 0; i + 1 < counts.length; i += 2) {
    const k = counts[i]!;
    if (k >= K) throw new Error('topic prior: organization index out of range');
    out[k] = out[k]! + counts[i + 1]!;
  }
}

/** out[at…at+K) = (counts + a × back[backAt…]) / (n + a). */
function smoothInto(out: Float64Array, at: number, counts: readonly number[], back: Float64Array, backAt: number, a: number, K: number): void {
  const c = new Float64Array(K);
  addSparse(c, counts, K);
  let n = 0;
  for (let k = 0; k < K; k++) n += c[k]!;
  if (n + a === 0) {
    for (let k = 0; k < K; k++) out[at + k] = back[backAt + k]!;
    return;
  }
  for (let k = 0; k < K; k++) out[at + k] = (c[k]! + a * back[backAt + k]!) / (n + a);
}

/** Counts organizations per topic and per place × topic, in the shapes TopicPriorFile stores. */
export function countTopicTable(
  rows: readonly { label: number; topic: number; place?: string }[],
  nTopics: number,
): { byTopic: number[][]; byPlaceTopic: Record<string, number[][]> } {
  const byTopic = Array.from({ length: nTopics }, () => new Map<number, number>());
  const byPlace = new Map<string, Map<number, number>[]>();
  for (const r of rows) {
    inc(byTopic[r.topic]!, r.label);
    if (r.place === undefined || r.place.trim() === '') continue;
    const key = placeKey(r.place);
    let perTopic = byPlace.get(key);
    if (!perTopic) {
      perTopic = Array.from({ length: nTopics }, () => new Map<number, number>());
      byPlace.set(key, perTopic);
    }
    inc(perTopic[r.topic]!, r.label);
  }
  const flat = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).flat();
  return {
    byTopic: byTopic.map(flat),
    byPlaceTopic: Object.fromEntries([...byPlace].sort((a, b) => a[0].localeCompare(b[0])).map(([p, perTopic]) => [p, perTopic.map(flat)])),
  };
}

function inc(m: Map<number, number>, k: number): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}
