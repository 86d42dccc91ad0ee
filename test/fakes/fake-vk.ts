/**
 * A local VK API speaking the real protocol: `POST /method/<name>` with a form-urlencoded body (access_token, v,
 * params) answering `{response}` or `{error: {error_code, error_msg, request_params}}`; a Bots Long Poll server
 * (`GET <server>?act=a_check&key&ts&wait` → `{ts, updates}` or `{failed}`); newsfeed.search paged by `next_from`.
 * Faults: error 6 (rate limit) and dropped connections, per method; a refusal for good (an access error) until accepted again.
 */
import type http from 'node:http';
import { closeLoopback, FaultPlan, listenLoopback, readBody, type Fault } from './http-fake.js';

export interface VkCall {
  method: string;
  params: Record<string, string>;
}
export interface VkLongPollUpdate {
  type: string;
  object: unknown;
  group_id: number;
  event_id: string;
  v?: string;
}

export interface FakeVk {
  url: string;
  apiBaseUrl: string;
  calls: VkCall[];
  /** Successful wall.createComment calls (deduplicated by guid as VK does). */
  comments: { ownerId: number; postId: number; replyTo?: number; fromGroup?: number; message: string; guid?: string; commentId: number }[];
  sentMessages: { peerId: number; message: string; randomId: number; id: number; keyboard?: string }[];
  /** Answers to callback-button presses (messages.sendMessageEventAnswer). */
  eventAnswers: { eventId: string; userId: number; peerId: number; eventData?: string }[];
  /** Long poll: queue an event for a community; it gets the next ts. */
  pushLongPoll(groupId: number, type: string, object: unknown): void;
  /** Long poll `ts` values requested, in order (to see where a restarted poller resumed). */
  longPollRequests: { groupId: number; ts: string }[];
  /** Posts searchable by newsfeed.search. */
  searchIndex: Record<string, unknown>[];
  failNext(method: string, fault: Fault, times?: number): void;
  /** Answers every call of `method` with this VK error (e.g. 213: comments closed) until `accept(method)`. */
  refuse(method: string, code: number, message: string): void;
  accept(method: string): void;
  close(): Promise<void>;
}

export async function startFakeVk(opts: { tokens: string[]; searchPageSize?: number }): Promise<FakeVk> {
  const faults = new FaultPlan();
  const calls: VkCall[] = [];
  const comments: FakeVk['comments'] = [];
  const sentMessages: FakeVk['sentMessages'] = [];
  const eventAnswers: FakeVk['eventAnswers'] = [];
  const longPoll = new Map<number, VkLongPollUpdate[]>();
  const longPollRequests: FakeVk['longPollRequests'] = [];
  const searchIndex: Record<string, unknown>[] = [];
  const refusals = new Map<string, { code: number; message: string }>();
  let nextId = 1000;
  let url = '';

  const error = (code: number, msg: string, params: Record<string, string>) => ({
    error: { error_code: code, error_msg: msg,
      request_params: Object.entries(params).filter(([k]) => k !== 'access_token').map(([key, value]) => ({ key, value })) },
  });

  const methods: Record<string, (p: Record<string, string>) => unknown> = {
    'groups.getLongPollServer': (p) => ({ key: `key-${p.group_id}`, server: `${url}/lp/${p.group_id}`,
      ts: String((longPoll.get(Number(p.group_id)) ?? []).length + 1) }),
    'wall.createComment': (p) => {
      const existing = p.guid ? comments.find((c) => c.guid === p.guid) : undefined;
      if (existing) return { comment_id: existing.commentId, parents_stack: [] };
      const c = { ownerId: Number(p.owner_id), postId: Number(p.post_id), replyTo: p.reply_to_comment ? Number(p.reply_to_comment) : undefined,
        fromGroup: p.from_group ? Number(p.from_group) : undefined, message: p.message ?? '', guid: p.guid, commentId: ++nextId };
      comments.push(c);
      return { comment_id: c.commentId, parents_stack: [] };
    },
    'messages.send': (p) => {
      const existing = sentMessages.find((m) => m.randomId === Number(p.random_id) && m.peerId === Number(p.peer_id));
      if (existing) return existing.id;
      const m = { peerId: Number(p.peer_id), message: p.message ?? '', randomId: Number(p.random_id), id: ++nextId, keyboard: p.keyboard };
      sentMessages.push(m);
      return m.id;
    },
    'messages.sendMessageEventAnswer': (p) => {
      eventAnswers.push({ eventId: p.event_id ?? '', userId: Number(p.user_id), peerId: Number(p.peer_id), eventData: p.event_data });
      return 1;
    },
    'board.createComment': () => ++nextId,
    'newsfeed.search': (p) => {
      const q = (p.q ?? '').toLowerCase();
      const since = Number(p.start_time ?? 0);
      const size = Math.min(Number(p.count ?? 30), opts.searchPageSize ?? 200);
      const all = searchIndex
        .filter((x) => String(x.text ?? '').toLowerCase().includes(q) && Number(x.date) >= since)
        .sort((a, b) => Number(b.date) - Number(a.date) || Number(b.id) - Number(a.id));
      const offset = p.start_from ? Number(p.start_from.split(':')[1]) : 0;
      const items = all.slice(offset, offset + size);
      const more = offset + size < all.length;
      return { items, count: items.length, total_count: all.length, ...(more ? { next_from: `o:${offset + size}` } : {}) };
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', url);
    const lp = /^\/lp\/(\d+)$/.exec(u.pathname);
    if (lp) {
      const groupId = Number(lp[1]);
      if (faults.take('longpoll') === 'network') return void req.socket.destroy();
      if (u.searchParams.get('key') !== `key-${groupId}`) return void json(res, { failed: 2 });
      const ts = Number(u.searchParams.get('ts'));
      longPollRequests.push({ groupId, ts: String(ts) });
      const deadline = Date.now() + Math.min(Number(u.searchParams.get('wait') ?? 25), 1) * 1000;
      for (;;) {
        const events = longPoll.get(groupId) ?? [];
        // Event n (1-based) has ts n: a request with ts=t returns events t, t+1, …
        const fresh = events.slice(Math.max(0, ts - 1));
        if (fresh.length > 0 || Date.now() >= deadline || req.destroyed) {
          return void json(res, { ts: String(events.length + 1), updates: fresh });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const m = /^\/method\/([\w.]+)$/.exec(u.pathname);
    if (!m || req.method !== 'POST') return void json(res, { error: { error_code: 3, error_msg: 'Unknown method passed', request_params: [] } }, 404);
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const method = m[1]!;
    calls.push({ method, params });
    const fault = faults.take(method);
    if (fault === 'network') return void req.socket.destroy();
    if (fault === 'rate') return void json(res, error(6, 'Too many requests per second', params));
    if (!opts.tokens.includes(params.access_token ?? '')) return void json(res, error(5, 'User authorization failed: invalid access_token (4).', params));
    const refusal = refusals.get(method);
    if (refusal) return void json(res, error(refusal.code, refusal.message, params));
    const impl = methods[method];
    if (!impl) return void json(res, error(3, 'Unknown method passed', params));
    json(res, { response: impl(params) });
  }
  function json(res: http.ServerResponse, body: unknown, status = 200) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  const { server, url: base } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  url = base;
  return {
    url,
    apiBaseUrl: `${url}/method`,
    calls,
    comments,
    sentMessages,
    eventAnswers,
    longPollRequests,
    searchIndex,
    pushLongPoll(groupId, type, object) {
      const list = longPoll.get(groupId) ?? [];
      list.push({ type, object, group_id: groupId, event_id: `ev${groupId}_${list.length + 1}`, v: '5.199' });
      longPoll.set(groupId, list);
    },
    failNext: (method, fault, times) => faults.failNext(method, fault, times),
    refuse: (method, code, message) => void refusals.set(method, { code, message }),
    accept: (method) => void refusals.delete(method),
    close: () => closeLoopback(server),
  };
}
