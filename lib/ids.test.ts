import { describe, expect, it } from 'vitest';
import { authorHash, normalizePhone } from './hash.js';
import { eventIdFor, messageIdFor, uuidV5 } from './ids.js';

describe('uuidV5', () => {
  it('matches the RFC 4122 test vector for the DNS namespace', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
  it('gives the same message id to a redelivery and different ids to different channels', () => {
    expect(messageIdFor('vk', 'wall-1_2')).toBe(messageIdFor('vk', 'wall-1_2'));
    expect(messageIdFor('vk', '42')).not.toBe(messageIdFor('telegram', '42'));
    expect(eventIdFor('a', 'received')).not.toBe(eventIdFor('a', 'classified'));
  });
});

describe('author hashes', () => {
  it('hash one person the same whatever the phone formatting, and differ by salt', () => {
    const a = authorHash('salt', 'contact_center', normalizePhone('8 (391) 222-33-44'));
    const b = authorHash('salt', 'contact_center', normalizePhone('+7 391 2223344'));
    expect(a).toBe(b);
    expect(a).not.toContain('391');
    expect(authorHash('other', 'contact_center', normalizePhone('+73912223344'))).not.toBe(a);
  });
});
