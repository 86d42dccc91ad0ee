/**
 * A local Telegram Bot API: `POST /bot<token>/<method>` with a JSON body, answering `{ok: true, result}` or
 * `{ok: false, error_code, description, parameters}`. getUpdates confirms updates below `offset` and holds the
 * request open (long polling) until an update arrives or its timeout passes. Faults: 429 with `retry_after`,
 * dropped connections.
 */
import type http from 'node:http';
import { closeLoopback, FaultPlan, listenLoopback, readBody, type Fault } from './http-fake.js';

export interface TgCall {
  method: string;
  payload: Record<string, any>;
}

export interface FakeTelegram {
  apiRoot: string;
  calls: TgCall[];
  /** Messages the bot sent (sendMessage), in order. */
  sent: { chatId: string; text: string; replyMarkup?: any; replyTo?: number; messageId: number }[];
  pushUpdate(update: Record<string, unknown>): number;
  offsetsRequested: number[];
  failNext(method: string, fault: Fault, times?: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

export const BOT_USER = { id: 7000001, is_bot: true, first_name: 'Отклик', username: 'otklik_region_bot' };

export async function startFakeTelegram(opts: { token: string }): Promise<FakeTelegram> {
  const faults = new FaultPlan();
  const retryAfter = new Map<string, number>();
  const calls: TgCall[] = [];
  const sent: FakeTelegram['sent'] = [];
  const offsetsRequested: number[] = [];
  let updates: Record<string, any>[] = [];
  let nextUpdateId = 500_000;
  let nextMessageId = 90_000;

  const methods: Record<string, (p: Record<string, any>, req: http.IncomingMessage) => unknown | Promise<unknown>> = {
    getMe: () => BOT_USER,
    deleteWebhook: () => true,
    setWebhook: () => true,
    answerCallbackQuery: () => true,
    editMessageReplyMarkup: () => true,
    sendMessage: (p) => {
      const m = { message_id: ++nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(p.chat_id), type: 'private' }, from: BOT_USER,
        text: p.text };
      sent.push({ chatId: String(p.chat_id), text: p.text, replyMarkup: p.reply_markup, replyTo: p.reply_parameters?.message_id, messageId: m.message_id });
      return m;
    },
    getUpdates: async (p, req) => {
      const offset = Number(p.offset ?? 0);
      offsetsRequested.push(offset);
      // Asking with an offset confirms every update below it: Telegram forgets them.
      if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
      const deadline = Date.now() + Math.min(Number(p.timeout ?? 0), 2) * 1000;
      for (;;) {
        if (updates.length > 0 || Date.now() >= deadline || req.destroyed) return updates.slice(0, Number(p.limit ?? 100));
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const raw = await readBody(req);
    if (!m) return void json(res, { ok: false, error_code: 404, description: 'Not Found' }, 404);
    if (m[1] !== opts.token) return void json(res, { ok: false, error_code: 401, description: 'Unauthorized' }, 401);
    const method = m[2]!;
    let payload: Record<string, any>;
    try {
      payload = raw ? JSON.parse(raw) : {};
    } catch {
      return void json(res, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' }, 400);
    }
    calls.push({ method, payload });
    const fault = faults.take(method);
    if (fault === 'network') return void req.socket.destroy();
    if (fault === 'rate') {
      const s = retryAfter.get(method) ?? 1;
      return void json(res, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: s } }, 429);
    }
    const impl = methods[method];
    if (!impl) return void json(res, { ok: false, error_code: 404, description: 'Not Found: method not found' }, 404);
    json(res, { ok: true, result: await impl(payload, req) });
  }
  function json(res: http.ServerResponse, body: unknown, status = 200) {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const { server, url } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  return {
    apiRoot: url,
    calls,
    sent,
    offsetsRequested,
    pushUpdate(update) {
      const u = { update_id: ++nextUpdateId, ...update };
      updates.push(u);
      return u.update_id;
    },
    failNext(method, fault, times, retryAfterSeconds) {
      if (retryAfterSeconds !== undefined) retryAfter.set(method, retryAfterSeconds);
      faults.failNext(method, fault, times);
    },
    close: () => closeLoopback(server),
  };
}
