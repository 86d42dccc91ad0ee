import { describe, expect, it } from 'vitest';
import { channelRefsFor, messageForReader } from './message-listing.js';
import type { Actor } from './rules.js';
import type { ScopedMessage } from './store/messages.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const actor = (id: string, roles: [string, string | null][], subtree: string[] = []): Actor => ({ id,
  roles: roles.map(([role, organizationId]) => ({ role, organizationId })), subtreeOrganizationIds: subtree });

const vkDialog: ScopedMessage = {
  messageId: '22222222-2222-4222-8222-222222222222',
  source: 'vk',
  externalId: 'msg555_17',
  authorHash: 'h',
  text: 'Яма во дворе',
  link: 'https://vk.com/gim111?sel=555',
  attachments: [],
  place: { address: 'ул. Ленина, 12' },
  receivedAt: new Date(0),
  registrationNumber: '2026-000001',
  provenance: { channel: 'vk', via: 'callback', groupId: '111', peerId: '555', ownerId: '555', chatId: '555', somethingNew: 'x' },
  caseOrganizationId: ORG,
  caseExecutorId: 'e',
  origin: 'appeal',
  kind: 'complaint',
  incidentId: null,
  caseId: '33333333-3333-4333-8333-333333333333',
  reactionDueAt: null,
  signalStatus: null,
  joinedAfterAnswer: null,
};

describe('a listed message as its reader sees it', () => {
  it('keeps everything for those who work on the case, without the scoping columns', () => {
    const seen = messageForReader(actor('c', [['coordinator', ORG]]), vkDialog);
    expect(seen).toMatchObject({ externalId: 'msg555_17', link: vkDialog.link, provenance: vkDialog.provenance });
    expect(Object.keys(seen)).not.toContain('caseOrganizationId');
    expect(Object.keys(seen)).not.toContain('caseExecutorId');
    expect(messageForReader(actor('e', [['executor', ORG]]), vkDialog).externalId).toBe('msg555_17');
  });
  it('withholds what reaches the person from readers who do not work on the case; unknown provenance keys too', () => {
    for (const reader of [actor('ra', [['administrator', null]]), actor('pc', [['curator', 'parent']], [ORG])]) {
      const seen = messageForReader(reader, vkDialog);
      expect(seen).toMatchObject({ externalId: null, link: null, text: 'Яма во дворе', place: { address: 'ул. Ленина, 12' } });
      expect(seen.provenance).toEqual({ channel: 'vk', via: 'callback', groupId: '111' });
    }
  });
  it('keeps the ids Otklik or the 122 center assigned, which name no one, for every reader', () => {
    const call: ScopedMessage = { ...vkDialog, source: 'contact_center', externalId: 'call-7', link: null, provenance: { channel: '122' } };
    expect(messageForReader(actor('ra', [['administrator', null]]), call)).toMatchObject({ externalId: 'call-7', provenance: { channel: '122' } });
    expect(channelRefsFor(false, { source: 'widget', externalId: 'key-1', link: null })).toEqual({ externalId: 'key-1', link: null });
    expect(channelRefsFor(false, { source: 'telegram', externalId: '4200:1', link: null })).toEqual({ externalId: null, link: null });
    expect(channelRefsFor(true, { source: 'telegram', externalId: '4200:1', link: null })).toEqual({ externalId: '4200:1', link: null });
  });
});
