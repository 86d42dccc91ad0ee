import { createHmac } from 'node:crypto';

/**
 * Authors are identified by a salted hash so analytics can count repeat authors without holding
 * personal data; the salt never leaves the deployment.
 */
export function authorHash(salt: string, source: string, authorKey: string): string {
  return createHmac('sha256', salt).update(`${source}:${authorKey.trim().toLowerCase()}`).digest('hex').slice(0, 32);
}

/** Phone numbers arrive as "+7 (391) 200-00-00", "8 391 2000000", …; one canonical form keeps the hash stable. */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7'))) return `+7${digits.slice(1)}`;
  if (digits.length === 10) return `+7${digits}`;
  return digits.length > 0 ? `+${digits}` : '';
}
