/**
 * Where an incident's signals were posted, as threads a reply goes to: a VK post (the post and its comments) or
 * board topic, a Telegram chat. Pure, so the rules of where Otklik may write are unit-tested.
 *
 * Otklik writes only where the region speaks for itself: on the walls and boards of the region's own VK
 * communities (ingest marks them `thread: own`), and in Telegram groups where its bot is a member. Everywhere else
 * — a search hit on a stranger's wall, a Telegram channel (where the bot would speak as the channel) — the thread
 * is shown to the operator to answer by hand, with a link, and nothing is ever posted automatically.
 */
import { replyTarget } from '../notify.js';
import type { RoutingSuggestion, SignalRow } from '../store/signals.js';

export interface Thread {
  key: string;
  source: string;
  /** The region may post here (from the official community, or the bot where it is a member). */
  own: boolean;
  /** The post or chat to open. */
  link: string | null;
  /** The earliest signal of the thread: the reply answers it. */
  first: SignalRow;
  signals: SignalRow[];
  /** Where the reply goes (lib/queues.ts target conventions); undefined where Otklik does not write. */
  target?: Record<string, string>;
}

type Where = { key: string; own: boolean; link: string | null };

function vkThread(s: SignalRow): Where | undefined {
  const own = s.provenance.thread === 'own';
  const wall = /^wall(-?\d+)_(\d+)(?:_c\d+)?$/.exec(s.externalId);
  if (wall) return { key: `vk:wall${wall[1]}_${wall[2]}`, own, link: `https://vk.com/wall${wall[1]}_${wall[2]}` };
  const board = /^board(\d+)_(\d+)_\d+$/.exec(s.externalId);
  if (board) return { key: `vk:board${board[1]}_${board[2]}`, own, link: `https://vk.com/topic-${board[1]}_${board[2]}` };
  return undefined;
}

function telegramThread(s: SignalRow): Where | undefined {
  const chat = /^(-?\d+):\d+$/.exec(s.externalId);
  if (!chat) return undefined;
  // A group the bot reads is one it may write in; a channel post would be published as the channel itself.
  return { key: `telegram:${chat[1]}`, own: s.provenance.via === 'group', link: s.link };
}

/** The thread of a signal, or undefined for a message that has none (then it is answered by hand). */
export function threadOf(s: SignalRow): Where | undefined {
  if (s.source === 'vk') return vkThread(s);
  if (s.source === 'telegram') return telegramThread(s);
  return undefined;
}

/** The incident's signals by thread, oldest thread first; a signal without a thread is a thread of its own, by hand. */
export function threadsOf(signals: SignalRow[]): Thread[] {
  const byKey = new Map<string, Thread>();
  const sorted = [...signals].sort((a, b) => new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime());
  for (const s of sorted) {
    const where = threadOf(s) ?? { key: `message:${s.messageId}`, own: false, link: s.link };
    const thread = byKey.get(where.key);
    if (thread) {
      thread.signals.push(s);
      continue;
    }
    const target = where.own ? replyTarget({ source: s.source, externalId: s.externalId, provenance: s.provenance, contact: {} }) : undefined;
    byKey.set(where.key, { ...where, own: where.own && !!target, source: s.source, first: s, signals: [s], target });
  }
  return [...byKey.values()];
}

const KIND_RANK: Record<string, number> = { complaint: 3, question: 2, other: 1 };

/** The incident's kind: its strongest signal's (a complaint among thanks makes it a complaint). */
export const incidentKind = (signals: Pick<SignalRow, 'kind'>[]) =>
  signals.reduce((best, s) => ((KIND_RANK[s.kind] ?? 0) > (KIND_RANK[best] ?? 0) ? s.kind : best), 'other');

/** The signal a case is made from: the strongest kind, then the earliest. */
export function leadOf(signals: SignalRow[]): SignalRow {
  return [...signals].sort((a, b) =>
    (KIND_RANK[b.kind] ?? 0) - (KIND_RANK[a.kind] ?? 0)
    || new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime() || (a.messageId < b.messageId ? -1 : 1)
  )[0]!;
}

/**
 * The routing model's top organizations for the whole incident: each signal's scores summed per organization and
 * divided by the number of signals, best first.
 */
export function incidentSuggestions(routings: RoutingSuggestion[][], top = 3): RoutingSuggestion[] {
  const sum = new Map<string, number>();
  for (const list of routings) for (const r of list) sum.set(r.organization, (sum.get(r.organization) ?? 0) + r.score);
  const n = Math.max(1, routings.length);
  return [...sum].map(([organization, s]) => ({ organization, score: Math.round((s / n) * 10_000) / 10_000 }))
    .sort((a, b) => b.score - a.score || a.organization.localeCompare(b.organization)).slice(0, top);
}
