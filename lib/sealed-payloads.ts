/**
 * Personal data crossing Redis: the contact and raw payload of an incoming message and the recipient of an outbound
 * one travel sealed (lib/seal.ts), so queue dumps, the queue board and failed-job views never show them.
 */
import { z } from 'zod';
import { contactSchema, type IncomingMessage, type OutboundMessage } from './queues.js';
import type { Sealer } from './seal.js';

const sealedIncomingSchema = z.object({ contact: contactSchema.default({}), raw: z.unknown() });
const sealedOutboundSchema = z.object({ target: z.record(z.string(), z.string()), text: z.string().min(1).max(10_000).optional() });
/** What a sealed one-time code shows in the clear: the code itself crosses Redis sealed with its recipient. */
export const SEALED_CODE_TEXT = '(код подтверждения скрыт)';
const incomingContext = (m: { messageId: string }) => `incoming:${m.messageId}`;
const outboundContext = (m: { outboundId: string }) => `outbound:${m.outboundId}`;

/** The message as a job carries it: contact and raw payload sealed, the clear part free of them. */
export function sealIncoming(sealer: Sealer, m: IncomingMessage): IncomingMessage {
  if (m.sealed) return m;
  const { contact, raw, sealed: _none, ...clear } = m;
  const hasContact = Object.values(contact).some((v) => v !== undefined && v !== '');
  if (!hasContact && (raw === undefined || raw === null)) return { ...clear, contact: {}, raw: null };
  return { ...clear, contact: {}, raw: null, sealed: sealer.seal({ contact, raw }, incomingContext(m)) };
}

/**
 * The message with its contact and raw payload opened (the workflow, registering the case). A message without a
 * seal (jobs queued by a version before sealing) is returned as it is; one that does not open throws a SealError.
 */
export function openIncoming(sealer: Sealer, m: IncomingMessage): IncomingMessage {
  if (!m.sealed) return m;
  const { sealed, ...clear } = m;
  const personal = sealedIncomingSchema.parse(sealer.open(sealed, incomingContext(m)));
  return { ...clear, contact: personal.contact, raw: personal.raw };
}

/** The reply as a job carries it: the recipient sealed, and a one-time code's text too (it is a secret). */
export function sealOutbound(sealer: Sealer, m: OutboundMessage): OutboundMessage {
  if (m.sealed) return m;
  const { target, sealed: _none, ...clear } = m;
  if (m.kind === 'code') return { ...clear, text: SEALED_CODE_TEXT, target: {}, sealed: sealer.seal({ target, text: m.text }, outboundContext(m)) };
  return { ...clear, target: {}, sealed: sealer.seal({ target }, outboundContext(m)) };
}

/** The reply with its recipient opened (the channel adapters); unsealed replies of older versions pass as they are. */
export function openOutbound(sealer: Sealer, m: OutboundMessage): OutboundMessage {
  if (!m.sealed) return m;
  const { sealed, ...clear } = m;
  const personal = sealedOutboundSchema.parse(sealer.open(sealed, outboundContext(m)));
  return { ...clear, target: personal.target, ...(personal.text ? { text: personal.text } : {}) };
}
