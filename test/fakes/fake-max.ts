/**
 * A local MAX Bot API speaking the real protocol (dev.max.ru): `Authorization: <token>` on every request (401
 * `{code: "verify.token"}` otherwise), JSON bodies, errors as `{code, message}`. POST /messages?chat_id|user_id
 * answers `{message}` with a new `mid`; PUT /messages?message_id edits; POST /answers?callback_id; GET /updates holds
 * the request until an update arrives or `timeout` passes and confirms every update below `marker`; GET, POST and
 * DELETE /subscriptions. Channel posts and their comments: `publishPost` makes a post, `commentOn` a comment under it
 * and returns its `comment_created` Update (the SDK's CommentCreatedUpdate: the Message names the channel in
 * `recipient.chat_id` and the post in `recipient.post_id`); POST /messages/{messageId}/comments (the SDK's CommentsApi)
 * answers `{message}` for a known post, with `link {type: reply, mid}` naming one of its comments, and `not.found`
 * otherwise; comments take text only (up to 4,000 characters). Faults per route: 429 `too.many.requests`, 403
 * `chat.denied` (the person blocked the bot) and dropped connections.
 */
import type http from 'node:http';
import { closeLoopback, FaultPlan, listenLoopback, readBody, type Fault } from './http-fake.js';

export interface MaxCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}
export interface MaxSent {
  chatId?: string;
  userId?: string;
  text: string;
  mid: string;
  link?: { type: string; mid: string };
  buttons?: { text: string; payload: string }[][];
}
/** A comment the bot posted under a channel post. */
export interface MaxCommentSent {
  postId: string;
  text: string;
  mid: string;
  replyTo?: string;
}

export interface FakeMax {
  apiBaseUrl: string;
  calls: MaxCall[];
  /** Messages the bot sent (POST /messages), in order. */
  sent: MaxSent[];
  /** Comments the bot posted under channel posts (POST /messages/{postId}/comments), in order. */
  comments: MaxCommentSent[];
  /** A post in `chatId` (a channel where the bot is an administrator); returns its id. */
  publishPost(chatId: number): string;
  /** A citizen's comment under a known post, as the `comment_created` Update MAX sends (webhook or long polling). */
  commentOn(postId: string, o: { userId: number; text: string }): Record<string, unknown> & { message: { body: { mid: string; text: string } } };
  /** Callback answers (POST /answers). */
  answers: { callbackId: string; notification?: string; message?: unknown }[];
  subscriptions: { url: string; secret?: string; update_types?: string[] }[];
  /** Markers GET /updates was asked with. */
  markersRequested: (number | undefined)[];
  /** Queues an update for long polling; returns its sequence number. */
  pushUpdate(update: Record<string, unknown>): number;
  /** `route` is `METHOD /path`, e.g. `POST /messages` (`POST /messages/{messageId}/comments` for any post). */
  failNext(route: string, fault: Fault, times?: number): void;
  close(): Promise<void>;
}

export const MAX_BOT_USER = { user_id: 9_000_001, first_name: 'Отклик', name: 'Отклик', username: 'otklik_region_bot', is_bot: true, last_activity_time: 0 };

type Handler = (q: Record<string, string>, body: any, req: http.IncomingMessage) => unknown | Promise<unknown>;

export async function startFakeMax(opts: { token: string }): Promise<FakeMax> {
  const faults = new FaultPlan();
  const state = { calls: [] as MaxCall[], sent: [] as MaxSent[], answers: [] as FakeMax['answers'], subscriptions: [] as FakeMax['subscriptions'],
    markers: [] as (number | undefined)[] };
  let updates: { seq: number; update: Record<string, unknown> }[] = [];
  let seq = 1000;
  let nextMid = 1;
  const newMid = () => `mid.${(nextMid++).toString(16).padStart(16, '0')}`;
  /** post id → its channel and the mids of its comments. */
  const posts = new Map<string, { chatId: number; comments: Set<string> }>();
  let nextPost = 4_400;
  const comments: MaxCommentSent[] = [];

  const routes: Record<string, Handler> = {
    'GET /me': () => MAX_BOT_USER,
    'POST /messages': (q, body) => {
      const mid = newMid();
      const keyboard = (body?.attachments ?? []).find((a: { type?: string }) => a.type === 'inline_keyboard');
      state.sent.push({ chatId: q.chat_id, userId: q.user_id, text: body?.text ?? '', mid, link: body?.link ?? undefined,
        buttons: keyboard?.payload?.buttons });
      const recipient = q.chat_id
        ? { chat_id: Number(q.chat_id), chat_type: 'dialog', user_id: null }
        : { chat_id: null, chat_type: 'dialog', user_id: Number(q.user_id) };
      return {
        message: { sender: MAX_BOT_USER, recipient, timestamp: Date.now(),
          body: { mid, seq: nextMid, text: body?.text ?? null, attachments: body?.attachments ?? null } },
      };
    },
    'PUT /messages': () => ({ success: true }),
    'POST /answers': (q, body) => {
      state.answers.push({ callbackId: q.callback_id!, notification: body?.notification, message: body?.message });
      return { success: true };
    },
    'GET /subscriptions': () => ({
      subscriptions: state.subscriptions.map((s) => ({ url: s.url, time: Date.now(), update_types: s.update_types ?? [], version: '0.0.1' })),
    }),
    'POST /subscriptions': (_q, body) => {
      state.subscriptions = [...state.subscriptions.filter((s) => s.url !== body.url), { url: body.url, secret: body.secret, update_types: body.update_types }];
      return { success: true };
    },
    'DELETE /subscriptions': (q) => {
      state.subscriptions = state.subscriptions.filter((s) => s.url !== q.url);
      return { success: true };
    },
    'GET /updates': async (q, _body, req) => {
      const marker = q.marker ? Number(q.marker) : undefined;
      state.markers.push(marker);
      // Asking with a marker confirms every update before it: MAX forgets them.
      if (marker !== undefined) updates = updates.filter((u) => u.seq >= marker);
      if (state.subscriptions.length > 0) return { updates: [], marker: marker ?? null };
      const deadline = Date.now() + Math.min(Number(q.timeout ?? 30), 2) * 1000;
      for (;;) {
        if (updates.length > 0 || Date.now() >= deadline || req.destroyed) {
          const page = updates.slice(0, Number(q.limit ?? 100));
          return { updates: page.map((u) => u.update), marker: page.length ? page.at(-1)!.seq + 1 : (marker ?? seq + 1) };
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };

  // dev.max.ru POST /messages/{messageId}/comments: the body is NewCommentBody (text, link of type reply, format).
  const COMMENTS = /^\/messages\/([^/]+)\/comments$/;
  function postComment(postId: string, body: any): [unknown, number] {
    const post = posts.get(postId);
    if (!post) return [{ code: 'not.found', message: `Post ${postId} not found` }, 404];
    const text = typeof body?.text === 'string' ? body.text : '';
    if (!text || text.length > 4000 || body?.attachments) return [{ code: 'proto.payload', message: 'text of 1–4000 characters, no attachments' }, 400];
    if (body?.link && (body.link.type !== 'reply' || !post.comments.has(body.link.mid))) {
      return [{ code: 'not.found', message: 'Linked comment not found' }, 404];
    }
    const mid = newMid();
    post.comments.add(mid);
    comments.push({ postId, text, mid, replyTo: body?.link?.mid });
    return [{
      message: { sender: MAX_BOT_USER, recipient: { chat_id: post.chatId, chat_type: 'channel', user_id: null, post_id: Number(postId) }, timestamp: Date.now(),
        link: body?.link ? { type: 'reply', message: { mid: body.link.mid, seq: 0, text: null } } : null, body: { mid, seq: nextMid, text } },
    }, 200];
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    if (req.headers.authorization !== opts.token) return json(res, { code: 'verify.token', message: 'Invalid access_token' }, 401);
    const comment = req.method === 'POST' ? COMMENTS.exec(url.pathname) : null;
    const route = comment ? 'POST /messages/{messageId}/comments' : `${req.method} ${url.pathname}`;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return json(res, { code: 'proto.payload', message: 'Invalid JSON' }, 400);
    }
    const query = Object.fromEntries(url.searchParams);
    state.calls.push({ method: req.method ?? '', path: url.pathname, query, body });
    const fault = faults.take(route);
    if (fault === 'network') return void req.socket.destroy();
    if (fault === 'rate') return json(res, { code: 'too.many.requests', message: 'Too many requests' }, 429);
    if (fault === 'denied') return json(res, { code: 'chat.denied', message: 'chat.denied: dialog.suspended' }, 403);
    if (comment) return json(res, ...postComment(decodeURIComponent(comment[1]!), body));
    const impl = routes[route];
    if (!impl) return json(res, { code: 'not.found', message: `Path ${url.pathname} is not recognized` }, 404);
    json(res, await impl(query, body, req));
  }
  function json(res: http.ServerResponse, body: unknown, status = 200) {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const { server, url } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  return {
    apiBaseUrl: url,
    calls: state.calls,
    sent: state.sent,
    answers: state.answers,
    markersRequested: state.markers,
    comments,
    publishPost(chatId) {
      const id = String(++nextPost);
      posts.set(id, { chatId, comments: new Set() });
      return id;
    },
    commentOn(postId, o) {
      const post = posts.get(postId);
      if (!post) throw new Error(`no post ${postId}`);
      const mid = newMid();
      post.comments.add(mid);
      const message = { sender: { user_id: o.userId, first_name: 'Анна', last_name: 'Смирнова', name: 'Анна Смирнова', is_bot: false },
        recipient: { chat_id: post.chatId, chat_type: 'channel', user_id: null, post_id: Number(postId) }, timestamp: Date.now(), link: null,
        body: { mid, seq: nextMid, text: o.text } };
      return { update_type: 'comment_created', timestamp: Date.now(), message };
    },
    get subscriptions() {
      return state.subscriptions;
    },
    pushUpdate(update) {
      updates.push({ seq: ++seq, update });
      return seq;
    },
    failNext: (route, fault, times) => faults.failNext(route, fault, times),
    close: () => closeLoopback(server),
  };
}
