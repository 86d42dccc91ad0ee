/**
 * A local SMS.ru speaking its HTTP API (https://sms.ru/api/send): `POST|GET /sms/send` with `api_id`, `to` (digits,
 * comma-separated), `msg`, `json=1`, optional `from`, answering `{status, status_code, sms: {<number>: {status,
 * status_code, sms_id | status_text}}, balance}`; a wrong api_id is a request-level `{status: "ERROR", status_code:
 * 200}`. Numbers can be made refused (per-number code, e.g. 207) and the service unavailable (220) for a while.
 */
import type http from 'node:http';
import { closeLoopback, listenLoopback, readBody } from './http-fake.js';

export interface FakeSms {
  to: string;
  text: string;
  from?: string;
  smsId: string;
}

export interface FakeSmsRu {
  url: string;
  /** Messages accepted, in order. */
  sent: FakeSms[];
  /** Requests as they came (form fields), accepted or not. */
  requests: Record<string, string>[];
  /** Answer this per-number code for a number (digits) instead of sending. */
  refuse(number: string, code: number, text?: string): void;
  /** Answer 220 (service temporarily unavailable) to the next `times` requests. */
  unavailable(times: number): void;
  close(): Promise<void>;
}

export async function startFakeSmsRu(opts: { apiId: string }): Promise<FakeSmsRu> {
  const sent: FakeSms[] = [];
  const requests: Record<string, string>[] = [];
  const refusals = new Map<string, { code: number; text: string }>();
  let down = 0;
  let nextId = 10_000_000;
  let balance = 500;

  function send(p: Record<string, string>) {
    if (p.api_id !== opts.apiId) return { status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' };
    if (down > 0) {
      down--;
      return { status: 'ERROR', status_code: 220, status_text: 'Сервис временно недоступен, попробуйте чуть позже.' };
    }
    if (!p.msg) return { status: 'ERROR', status_code: 203, status_text: 'Нет текста сообщения' };
    const sms: Record<string, unknown> = {};
    for (const number of (p.to ?? '').split(',').filter(Boolean)) {
      const refusal = refusals.get(number);
      if (refusal) {
        sms[number] = { status: 'ERROR', status_code: refusal.code, status_text: refusal.text };
        continue;
      }
      if (!/^\d{11,15}$/.test(number)) {
        sms[number] = { status: 'ERROR', status_code: 202, status_text: 'Неправильно указан номер телефона получателя, либо на него нет маршрута' };
        continue;
      }
      const smsId = `000000-${++nextId}`;
      sent.push({ to: number, text: p.msg, from: p.from, smsId });
      balance -= 2.5;
      sms[number] = { status: 'OK', status_code: 100, sms_id: smsId };
    }
    return { status: 'OK', status_code: 100, sms, balance };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const params = { ...Object.fromEntries(u.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
    if (u.pathname !== '/sms/send') return void res.writeHead(404).end();
    requests.push(params);
    const answer = send(params);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  }

  const { server, url } = await listenLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  return {
    url,
    sent,
    requests,
    refuse: (number, code, text = 'На этот номер нельзя отправлять сообщения') => void refusals.set(number, { code, text }),
    unavailable: (times) => void (down = times),
    close: () => closeLoopback(server),
  };
}
