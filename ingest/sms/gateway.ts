/**
 * The seam between Otklik and an SMS operator. SMS.ru (smsru.ts) and SMSC.ru (smsc.ts) are built in, chosen by
 * SMS_PROVIDER; a region that contracts another operator implements this interface over that operator's API and
 * returns it from createSmsGateway.
 */
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

export interface SmsSettings {
  provider: SmsProvider;
  apiKey: string;
  baseUrl: string;
  sender?: string;
}
