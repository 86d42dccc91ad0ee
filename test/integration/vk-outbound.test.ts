/**
 * Replies from the official VK community, against the fake VK API: the adapter never writes on a wall or a board that
 * is not the region's, whatever a job asks; a publication VK refuses for good fails at once, shows `failed` on the
 * incident's thread, and the monitoring team's retry delivers it once VK accepts again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../ingest/outbound-adapter.js';
import { createVkApi } from '../../ingest/vk/api.js';
import { createVkOutbound } from '../../ingest/vk/outbound.js';
import type { IncidentDetail } from '../../lib/monitoring.js';
import type { OutboundMessage } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkComment } from '../fakes/payloads.js';
import { eventually, moderatorToken, startTestSystem } from '../support.js';

const answer = (target: Record<string, string>): OutboundMessage => ({
  outboundId: randomUUID(),
  incidentId: 'inc-outbound',
  audience: 'public',
  channel: 'vk',
  kind: 'answer',
  text: 'Здравствуйте! Бригада выехала, подача воды будет восстановлена сегодня.',
  target,
});

describe("VK outbound adapter: only the region's walls and boards", () => {
  let vk: FakeVk;
  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
  });
  afterAll(async () => {
    await vk?.close();
  });
  const adapter = () =>
    createVkOutbound({ api: createVkApi({ token: 'group-token', apiBaseUrl: vk.apiBaseUrl, perSecond: 20, retryWaitMs: 50 }), groupIds: [111, 222] });
  const writes = () => vk.calls.filter((c) => c.method === 'wall.createComment' || c.method === 'board.createComment');

  it("refuses a stranger community's wall, a person's wall and a foreign board with a TargetError, calling nothing", async () => {
    const out = adapter();
    const targets: Record<string, string>[] = [{ ownerId: '-7777', postId: '5001' }, { ownerId: '-7777', postId: '5001', commentId: '12' }, { ownerId: '4242',
      postId: '10' }, { ownerId: '111', postId: '10' }, { groupId: '999', topicId: '7' }];
    for (const target of targets) {
      const refused = await out.deliver(answer(target)).then(() => undefined, (err: unknown) => err);
      expect(refused, JSON.stringify(target)).toBeInstanceOf(TargetError);
      expect((refused as Error).message).toMatch(/never posted to/);
    }
    expect(writes()).toEqual([]);
  });

  it("writes on the region's own walls and boards as the community whose wall it is", async () => {
    const out = adapter();
    expect(await out.deliver(answer({ ownerId: '-222', postId: '31', commentId: '5' }))).toMatchObject({ status: 'sent',
      externalRef: expect.stringMatching(/^wall-222_31_c\d+$/) });
    expect(await out.deliver(answer({ groupId: '111', topicId: '7' }))).toMatchObject({ status: 'sent',
      externalRef: expect.stringMatching(/^board111_7_\d+$/) });
    expect(vk.comments.at(-1)).toMatchObject({ ownerId: -222, postId: 31, replyTo: 5, fromGroup: 222 });
    expect(writes().map((c) => [c.method, c.params.owner_id ?? c.params.group_id])).toEqual([['wall.createComment', '-222'], ['board.createComment', '111']]);
  });

  it('turns a refusal VK gives for good into a TargetError; a rate limit stays a fault to retry', async () => {
    vk.refuse('wall.createComment', 213, 'Access to status replies denied');
    const refused = await adapter().deliver(answer({ ownerId: '-111', postId: '40' })).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(TargetError);
    expect((refused as Error).message).toMatch(/213/);
    vk.accept('wall.createComment');
    vk.failNext('wall.createComment', 'rate');
    expect(await adapter().deliver(answer({ ownerId: '-111', postId: '40' }))).toMatchObject({ status: 'sent' });
  });
});

describe('a publication VK refuses: failed on the thread, sent again by the team', () => {
  let vk: FakeVk;
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl,
    }, ['ingest', 'classify', 'workflow', 'dashboard']);
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await vk?.close();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${system.url}/api/v1/dashboard/monitoring${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const replyOf = async (incidentId: string) => {
    const { body } = await api<IncidentDetail>('GET', `/incidents/${incidentId}`);
    return body.threads.find((t) => t.own)?.replies[0];
  };

  it('shows the refused answer failed, then delivers it on the retry once VK accepts again', async () => {
    const comment = buildVkComment({ id: 9301, owner_id: -111, post_id: 610, from_id: 4101,
      text: 'На улице Ленина 12 вторые сутки нет холодной воды, в управляющей компании не берут трубку' });
    const hook = await fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildVkCallback('wall_reply_new', comment, { secret: 'cb-secret' })) });
    expect(hook.status).toBe(200);
    const listed = await eventually(async () => {
      const res = await fetch(`${system.url}/api/v1/messages?source=vk&limit=50`, { headers: { authorization: `Bearer ${token}` } });
      const items = ((await res.json()) as { items: { externalId: string; incidentId: string | null }[] }).items;
      return items.find((m) => m.externalId === 'wall-111_610_c9301' && m.incidentId);
    }, 30_000, 'the signal in its incident');
    const incidentId = listed.incidentId!;

    // Comments under the post were closed: VK refuses the answer, and keeps refusing.
    vk.refuse('wall.createComment', 213, 'Access to status replies denied');
    const version = (await api<IncidentDetail>('GET', `/incidents/${incidentId}`)).body.incident.version;
    const published = await api<{ queued: string[] }>('POST', `/incidents/${incidentId}/answer`, { expectedVersion: version,
      text: 'Здравствуйте! Аварийная бригада выехала, подача воды будет восстановлена сегодня к 18:00.' });
    expect(published).toMatchObject({ status: 200, body: { queued: ['vk:wall-111_610'] } });
    const failed = await eventually(async () => {
      const reply = await replyOf(incidentId);
      // The refusal reaches the delivery trail and the job's state one after the other: wait for both.
      return reply?.delivery?.state === 'failed' && reply.delivery.error ? reply : undefined;
    }, 20_000, 'the delivery failed');
    expect(failed.delivery).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringContaining('213') });
    expect(vk.comments).toEqual([]);
    // Only a failed delivery is sent again: an unknown one is not.
    expect((await api('POST', `/deliveries/${randomUUID()}/retry`)).status).toBe(409);

    vk.accept('wall.createComment');
    expect(await api('POST', `/deliveries/${failed.outboundId}/retry`)).toEqual({ status: 200, body: { retried: true } });
    const sent = await eventually(async () => {
      const reply = await replyOf(incidentId);
      return reply?.delivery?.state === 'sent' ? reply : undefined;
    }, 20_000, 'the delivery sent');
    expect(sent.delivery!.externalRef).toMatch(/^wall-111_610_c\d+$/);
    expect(vk.comments).toEqual([
      expect.objectContaining({ ownerId: -111, postId: 610, replyTo: 9301, fromGroup: 111, message: expect.stringContaining('Аварийная бригада') }),
    ]);
    expect((await api('POST', `/deliveries/${failed.outboundId}/retry`)).status).toBe(409);
  });
});
