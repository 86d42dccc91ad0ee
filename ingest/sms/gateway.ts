/**
 * The seam between Otklik and an SMS operator. SMS.ru (smsru.ts) and SMSC.ru (smsc.ts) are built in, chosen by
 * SMS_PROVIDER; a region that contracts another operator implements this interface over that operator's API and
 * returns it from createSmsGateway.
 */
import type { z } from 'zod';
import type { SmsProvider } from '../../lib/config.js';

export interface SmsGateway {
  /** The provider's name, prefixed to its message ids in the delivery trail (`smsru:000000-10000001`). */
  readonly name: string;
  /**
   * Hands one message to the provider for one number in E.164 (`+79131234567`). Resolves with the provider's message
   * id once accepted; throws SmsRefused when the provider refuses for good, any other error when a retry may succeed.
   */
  send(to: string, text: string): Promise<{ providerId: string }>;
}

/** The provider refused the message for good; `recipient` when the refusal is about the number (a bounce). */
export class SmsRefused extends Error {
  constructor(message: string, readonly code: string, readonly recipient: boolean) {
    super(message);
  }
}

/** What a provider's HTTP gateway is made with. */
export interface HttpGatewayOptions {
  apiKey: string;
  baseUrl: string;
  sender?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * POSTs a form to the provider's API and reads its JSON answer: an HTTP error, or an answer of another shape, is an
 * error a retry may cure; the provider's own refusals are in the answer, for its gateway to read.
 */
export async function postForm<T>(opts: HttpGatewayOptions, provider: string, path: string, form: Record<string, string>, answer: z.ZodType<T>): Promise<T> {
  const res = await (opts.fetchImpl ?? fetch)(`${opts.baseUrl}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
  });
  if (!res.ok) throw new Error(`${provider} answered HTTP ${res.status}`);
  const parsed = answer.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new Error(`${provider} answered something that is not its JSON answer`);
  return parsed.data;
}

export interface SmsSettings {
  provider: SmsProvider;
  apiKey: string;
  baseUrl: string;
  sender?: string;
}
