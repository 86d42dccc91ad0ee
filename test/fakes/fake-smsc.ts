/**
 * A local SMSC.ru speaking its HTTP API (https://smsc.ru/api/http/send/sms/): `POST|GET /sys/send.php` with `apikey`
 * (or `login` and `psw`), `phones`, `mes`, `charset`, `fmt=3`, optional `sender`, answering `{"id": N, "cnt": parts}`
 * or `{"error": "…", "error_code": N}` (with the id for codes 3, 6, 7, 8). A wrong key is error 2; numbers can be made
 * refused with a code (e.g. 8, cannot be reached).
 */
import type http from 'node:http';
import { closeLoopback, listenLoopback, readBody } from './http-fake.js';

export interface FakeSmscMessage {
  phones: string;
  text: string;
  sender?: string;
  id: number;
}

export interface FakeSmsc {
  url: string;
  /** Messages accepted, in order. */
  sent: FakeSmscMessage[];
  /** Answer this error code for a number (as sent, with its +) instead of sending. */
  refuse(phone: string, code: number): void;
  close(): Promise<void>;
}

const ERRORS: Record<number, string> = { 2: 'authorise error', 7: 'invalid number', 8: "can't deliver" };

export async function startFakeSmsc(opts: { apiKey: string }): Promise<FakeSmsc> {
  const sent: FakeSmscMessage[] = [];
  const refusals = new Map<string, number>();
  let nextId = 4200;

  function send(p: Record<string, string>) {
    if (p.apikey !== opts.apiKey) return { error: ERRORS[2], error_code: 2 };
    if (!p.phones || !p.mes) return { error: 'parameters error', error_code: 1 };
    const refusal = refusals.get(p.phones);
    if (refusal) return { error: ERRORS[refusal] ?? 'error', error_code: refusal, id: ++nextId };
    const id = ++nextId;
    sent.push({ phones: p.phones, text: p.mes, sender: p.sender, id });
    return { id, cnt: Math.ceil(p.mes.length / 67) };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const params = { ...Object.fromEntries(u.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
    if (u.pathname !== '/sys/send.php') return void res.writeHead(404).end();
    // Without fmt=3 SMSC.ru answers plain text; the adapter must always ask for JSON.
    if (params.fmt !== '3') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ERROR = 1 (parameters error)');
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(send(params)));
  }

  const { server, url } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  return { url, sent, refuse: (phone, code) => void refusals.set(phone, code), close: () => closeLoopback(server) };
}
