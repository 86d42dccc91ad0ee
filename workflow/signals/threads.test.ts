import { describe, expect, it } from 'vitest';
import type { SignalRow } from '../store/signals.js';
import { incidentKind, incidentSuggestions, leadOf, threadsOf } from './threads.js';

let n = 0;
function signal(o: Partial<SignalRow> & Pick<SignalRow, 'source' | 'externalId'>): SignalRow {
  n++;
  return {
    messageId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    incidentId: 'inc',
    status: 'new',
    kind: 'complaint',
    kindConfidence: 0.9,
    category: 'ЖКХ',
    confidence: 0.8,
    municipality: 'город Красноярск',
    fastTrack: false,
    modelVersion: 'm',
    routing: [],
    receivedAt: new Date(Date.UTC(2026, 10, 20, 9, n)),
    reactionDueAt: null,
    firstReactionAt: null,
    joinedAfterAnswer: false,
    provenance: {},
    link: null,
    text: 't',
    ...o,
  };
}

describe('threads of an incident', () => {
  it("answers each VK post once, under its earliest signal, only on the region's own walls", () => {
    const post = signal({ source: 'vk', externalId: 'wall-111_10', provenance: { thread: 'own', ownerId: '-111' } });
    const comment = signal({ source: 'vk', externalId: 'wall-111_10_c5', provenance: { thread: 'own', ownerId: '-111' } });
    const other = signal({ source: 'vk', externalId: 'wall-111_11_c7', provenance: { thread: 'own', ownerId: '-111' } });
    const foreign = signal({ source: 'vk', externalId: 'wall-7777_3', provenance: { thread: 'foreign', ownerId: '-7777' } });
    const threads = threadsOf([comment, foreign, other, post]);
    expect(threads.map((t) => [t.key, t.own, t.signals.length])).toEqual([
      ['vk:wall-111_10', true, 2],
      ['vk:wall-111_11', true, 1],
      ['vk:wall-7777_3', false, 1],
    ]);
    expect(threads[0]!.target).toEqual({ ownerId: '-111', postId: '10' });
    expect(threads[1]!.target).toEqual({ ownerId: '-111', postId: '11', commentId: '7' });
    expect(threads[2]!.target).toBeUndefined();
    expect(threads[2]!.link).toBe('https://vk.com/wall-7777_3');
  });

  it('replies in Telegram groups where the bot is a member, never in channels; a wall without the own mark is foreign', () => {
    const group = signal({ source: 'telegram', externalId: '-1001:5', provenance: { via: 'group', chatId: '-1001' }, link: 'https://t.me/g/5' });
    const channel = signal({ source: 'telegram', externalId: '-1002:6', provenance: { via: 'channel', chatId: '-1002' } });
    const old = signal({ source: 'vk', externalId: 'wall-111_12' });
    const threads = threadsOf([group, channel, old]);
    expect(threads.map((t) => [t.key, t.own])).toEqual([['telegram:-1001', true], ['telegram:-1002', false], ['vk:wall-111_12', false]]);
    expect(threads[0]!.target).toEqual({ chatId: '-1001', replyToMessageId: '5' });
  });

  it('takes the strongest kind for the incident and its lead, and sums routing suggestions', () => {
    const thanks = signal({ source: 'vk', externalId: 'wall-1_1', kind: 'other' });
    const question = signal({ source: 'vk', externalId: 'wall-1_2', kind: 'question' });
    expect(incidentKind([thanks, question])).toBe('question');
    expect(leadOf([thanks, question]).messageId).toBe(question.messageId);
    expect(incidentSuggestions([[{ organization: 'A', score: 0.6 }, { organization: 'B', score: 0.4 }], [{ organization: 'B', score: 0.9 }]]))
      .toEqual([{ organization: 'B', score: 0.65 }, { organization: 'A', score: 0.3 }]);
  });
});
