/**
 * A local Одноклассники API speaking the real protocols (apiok.ru):
 * - Graph API of group messages: `POST /graph/me/messages/<chat_id>?access_token=<group key>` and
 *   `POST /graph/me/subscribe` with JSON bodies, `{success: true}` or `{error_code, error_msg}`;
 * - REST API: `POST /fb.do`, form-encoded, signed (`sig` checked the way OK checks it, by the fake's own signing
 *   checked against a worked example, error 104 otherwise), answering
 *   JSON or `{error_code, error_msg}` with HTTP 200: group.getStatTopics, discussions.getComments (anchor paging,
 *   FIRST, FORWARD), discussions.addDiscussionComment.
 * Faults per method: 'rate' answers error 8 (FLOOD_BLOCKED), 'network' drops the connection.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { closeLoopback, FaultPlan, listenLoopback, readBody, type Fault } from './http-fake.js';

export interface OkFakeComment {
  id: string;
  author_id: string;
  author_type?: string;
  text: string;
  date: string;
  reply_to_comment_id?: string;
}

export interface FakeOk {
  apiBaseUrl: string;
  /** Every REST call with its parameters (signature checked). */
  restCalls: { method: string; params: Record<string, string> }[];
  /** Messages groups sent through the Graph API. */
  sent: { token: string; chatId: string; text: string; replyTo?: string; messageId: string }[];
  subscriptions: { token: string; url: string }[];
  /** Comments the group posted through discussions.addDiscussionComment. */
  groupComments: { topicId: string; text: string; replyTo?: string; asAdmin?: string; id: string }[];
  /** A group's posts (newest first, as getStatTopics lists them) and their comments. */
  addTopic(groupId: string, topicId: string): void;
  addComment(topicId: string, c: Omit<OkFakeComment, 'date'> & { date?: string }): void;
  failNext(method: string, fault: Fault, times?: number): void;
  close(): Promise<void>;
}

export interface FakeOkOptions {
  groupTokens: string[];
  applicationKey: string;
  applicationSecretKey: string;
  accessToken: string;
}

type Rest = (p: Record<string, string>) => unknown;

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/**
 * The signature OK expects (apiok.ru, "Расчет подписи запроса"), written here apart from ingest/ok/api.ts: the fake
 * checks the client's signing instead of agreeing with whatever it does.
 */
export function expectedOkSignature(params: Record<string, string>, accessToken: string, applicationSecretKey: string): string {
  const names = Object.keys(params).filter((k) => k !== 'sig' && k !== 'access_token' && k !== 'session_key').sort();
  return md5(names.map((k) => `${k}=${params[k]}`).join('') + md5(accessToken + applicationSecretKey));
}

/**
 * A worked example with its signature computed independently of this code (the server-server example of the aiookru
 * client's documentation: secret md5(token + key) = b1a2b897…, sig 232c8eb9…). The fake refuses to start if its own
 * signing disagrees with it.
 */
export const OK_SIGNATURE_EXAMPLE = {
  params: { application_key: 'ABCDEFGHIGKLMNOPK', format: 'json', method: 'events.get' },
  accessToken: '-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7',
  applicationSecretKey: 'ABC123DEF456GHI789JKL123',
  sig: '232c8eb921951c4dba9b72606f9ddb4c',
} as const;

export async function startFakeOk(opts: FakeOkOptions): Promise<FakeOk> {
  const ex = OK_SIGNATURE_EXAMPLE;
  if (expectedOkSignature({ ...ex.params }, ex.accessToken, ex.applicationSecretKey) !== ex.sig) {
    throw new Error('the fake OK signs otherwise than the worked example');
  }
  const faults = new FaultPlan();
  const restCalls: FakeOk['restCalls'] = [];
  const sent: FakeOk['sent'] = [];
  const subscriptions: FakeOk['subscriptions'] = [];
  const groupComments: FakeOk['groupComments'] = [];
  const topics = new Map<string, string[]>();
  const comments = new Map<string, OkFakeComment[]>();
  let nextId = 9000;

  const rest: Record<string, Rest> = {
    'group.getStatTopics': (p) => ({ topics: (topics.get(p.gid!) ?? []).slice(0, Number(p.count ?? 20)).map((id) => ({ id })) }),
    'discussions.getComments': (p) => {
      if (p.discussionType !== 'GROUP_TOPIC') return { error_code: 100, error_msg: 'PARAM : discussionType' };
      const list = comments.get(p.discussionId!) ?? [];
      // The anchor names the position after the last comment returned; FIRST is the oldest.
      const from = p.anchor && p.anchor !== 'FIRST' ? Number(p.anchor.replace(/^pos/, '')) : 0;
      const page = list.slice(from, from + Number(p.count ?? 10));
      return { discussionId: p.discussionId, discussionType: 'GROUP_TOPIC', comments: page, anchor: `pos${from + page.length}`,
        has_more: from + page.length < list.length };
    },
    'discussions.addDiscussionComment': (p) => {
      const id = `c${++nextId}`;
      groupComments.push({ topicId: p.entityId!, text: p.comment!, replyTo: p.reply_to_comment_id, asAdmin: p.as_admin, id });
      return { id };
    },
  };

  function restAnswer(raw: string): unknown {
    const params = Object.fromEntries(new URLSearchParams(raw));
    const { sig, ...rest_ } = params;
    if (params.application_key !== opts.applicationKey) return { error_code: 101, error_msg: 'PARAM_API_KEY : Application key is invalid' };
    if (params.access_token !== opts.accessToken) return { error_code: 102, error_msg: 'PARAM_SESSION_EXPIRED : Session expired' };
    if (sig !== expectedOkSignature(rest_, opts.accessToken, opts.applicationSecretKey)) {
      return { error_code: 104, error_msg: 'PARAM_SIGNATURE : Invalid signature' };
    }
    restCalls.push({ method: params.method!, params });
    const impl = rest[params.method!];
    return impl ? impl(params) : { error_code: 3, error_msg: `METHOD : Method ${params.method} does not exist` };
  }

  function graphAnswer(path: string, token: string, body: any): unknown {
    if (!opts.groupTokens.includes(token)) return { error_code: 102, error_msg: 'PARAM_SESSION_EXPIRED : Session expired' };
    if (path === '/graph/me/subscribe') {
      subscriptions.push({ token, url: body?.url });
      return { success: true };
    }
    const chat = /^\/graph\/me\/messages\/(chat:[\w-]+)$/.exec(path);
    if (!chat) return { error_code: 3, error_msg: 'METHOD : unknown' };
    if (body?.recipient?.chat_id !== chat[1]) return { error_code: 100, error_msg: 'PARAM : recipient.chat_id' };
    const messageId = `mid:${chat[1]!.slice(5)}.${(++nextId).toString(16)}`;
    sent.push({ token, chatId: chat[1]!, text: body?.message?.text ?? '', replyTo: body?.message?.reply_to, messageId });
    return { success: true, message_id: messageId };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    const method = url.pathname === '/fb.do'
      ? new URLSearchParams(raw).get('method') ?? ''
      : url.pathname.replace(/^\/graph\//, '').split('/').slice(0, 2).join('/');
    const fault = faults.take(method);
    if (fault === 'network') return void req.socket.destroy();
    if (fault === 'rate') return json(res, { error_code: 8, error_msg: 'FLOOD_BLOCKED : Flood blocked' });
    if (req.method !== 'POST') return json(res, { error_code: 4, error_msg: 'REQUEST : POST expected' });
    if (url.pathname === '/fb.do') return json(res, restAnswer(raw));
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return json(res, { error_code: 100, error_msg: 'PARAM : invalid JSON' });
    }
    json(res, graphAnswer(url.pathname, url.searchParams.get('access_token') ?? '', body));
  }
  function json(res: http.ServerResponse, body: unknown) {
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body));
  }

  const { server, url } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  return {
    apiBaseUrl: url,
    restCalls,
    sent,
    subscriptions,
    groupComments,
    addTopic(groupId, topicId) {
      topics.set(groupId, [topicId, ...(topics.get(groupId) ?? [])]);
    },
    addComment(topicId, c) {
      comments.set(topicId, [...(comments.get(topicId) ?? []), { date: '2026-03-01 12:30:00', ...c }]);
    },
    failNext: (method, fault, times) => faults.failNext(method, fault, times),
    close: () => closeLoopback(server),
  };
}
