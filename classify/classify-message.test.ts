import { beforeAll, describe, expect, it } from 'vitest';
import { authorHash } from '../lib/hash.js';
import { messageIdFor } from '../lib/ids.js';
import { createLogger } from '../lib/logger.js';
import { incomingMessageSchema, type IncomingMessage, type Source } from '../lib/queues.js';
import { classifyMessage, type ClassifyDeps } from './classify-message.js';
import { loadClassifier } from './load-classifier.js';

function buildPost(overrides: Partial<IncomingMessage> & { source?: Source; externalId?: string } = {}): IncomingMessage {
  const source = overrides.source ?? 'vk';
  const externalId = overrides.externalId ?? `wall-1_${Math.floor(Math.random() * 1e9)}`;
  return incomingMessageSchema.parse({
    messageId: messageIdFor(source, externalId),
    source,
    externalId,
    receivedAt: '2026-11-20T10:00:00+07:00',
    text: 'Во дворе дома 5 на улице Мира не вывозят мусор уже неделю, контейнеры переполнены',
    authorHash: authorHash('salt', source, 'u1'),
    raw: {},
    ...overrides,
  });
}

describe('classifyMessage with the default models', () => {
  let deps: ClassifyDeps;
  beforeAll(async () => {
    deps = await loadClassifier({ modelsDir: 'models', gazetteerPath: 'config/gazetteer/krasnoyarsk-krai.json', regionConfigPath: 'config/region.yaml' },
      createLogger('silent'));
  });

  it('uses the trained category model and records its version', () => {
    const c = classifyMessage(buildPost({ text: 'На дороге по улице Ленина огромные ямы, асфальт разбит, машины бьют подвеску' }), deps).classification;
    expect(c.category).toBe('дороги');
    expect(c.modelVersion).not.toMatch(/^baseline/);
    expect(c.top[0]!.label).toBe('дороги');
    expect(c.confidence).toBeGreaterThan(0);
  });

  it('finds the municipality in the text when the channel gives none', () => {
    const c = classifyMessage(buildPost({ text: 'В Норильске на улице Талнахская третий день нет отопления в доме 12' }), deps).classification;
    expect(c.municipality).toMatch(/Норильск/);
  });

  it('keeps the municipality the channel gave', () => {
    const c = classifyMessage(buildPost({ place: { municipality: 'город Канск' } }), deps).classification;
    expect(c.municipality).toBe('город Канск');
  });

  it('applies the region fast-track phrases', () => {
    const c = classifyMessage(
      buildPost({ source: 'contact_center', externalId: 'ft-1', text: 'Уже второй день нет холодной воды во всём доме на Свободном проспекте' }),
      deps,
    ).classification;
    expect(c.fastTrack).toBe(true);
    expect(c.deadlineDays).toBe(10);
  });

  it("fast-tracks by the reason the channel names (the region's `reasons` rule) and by phrases in any word order", () => {
    const text = 'В квартире очень холодно, батареи еле тёплые, дети болеют';
    const plain = classifyMessage(buildPost({ source: 'contact_center', externalId: 'ft-r0', text }), deps).classification;
    expect(plain).toMatchObject({ fastTrack: false, deadlineDays: 30 });
    const withReason =
      classifyMessage(buildPost({ source: 'contact_center', externalId: 'ft-r1', text, provenance: { channel: '122', reason: 'Отсутствие отопления' } }), deps)
        .classification;
    expect(withReason).toMatchObject({ fastTrack: true, deadlineDays: 10, deadlineRule: 'fast-track:reason' });
    const reordered =
      classifyMessage(buildPost({ source: 'contact_center', externalId: 'ft-r2', text: 'На перекрёстке Мира и Ленина светофор не работает с утра' }), deps)
        .classification;
    expect(reordered).toMatchObject({ fastTrack: true, deadlineRule: 'fast-track:keyword:не работает светофор' });
  });

  it('joins reposts of one problem into one incident and keeps another problem apart', () => {
    const text = 'У дома 14 по улице Чернышевского открытый люк прямо на тротуаре, дети ходят в школу мимо';
    const a = classifyMessage(buildPost({ externalId: 'inc-a', text, place: { municipality: 'город Красноярск' } }), deps).classification;
    const b = classifyMessage(buildPost({ externalId: 'inc-b', text: `${text}!!! Сколько можно ждать`, place: { municipality: 'город Красноярск' } }), deps)
      .classification;
    const c = classifyMessage(
      buildPost({ externalId: 'inc-c', text: 'В поликлинике номер 4 нет талонов к терапевту на две недели вперёд',
        place: { municipality: 'город Красноярск' } }),
      deps,
    ).classification;
    expect(b.incidentId).toBe(a.incidentId);
    expect(c.incidentId).not.toBe(a.incidentId);
  });

  it('tells social-media chatter from a complaint, and treats direct appeals as appeals', () => {
    const chatter = classifyMessage(buildPost({ text: 'Поздравляем всех с праздником! Желаем здоровья и счастья!' }), deps).classification;
    expect(chatter.kind).toBe('other');
    // The detector's confidence rides along: the workflow's auto-accept threshold is compared with it.
    expect(chatter.kindConfidence).toBeGreaterThan(0);
    expect(chatter.kindConfidence).toBeLessThanOrEqual(1);
    const direct = classifyMessage(buildPost({ source: 'widget', externalId: 'w-1', text: 'Поздравляем всех с праздником!' }), deps).classification;
    expect(direct.kind).toBe('complaint');
    expect(direct.kindConfidence).toBeUndefined();
  });
});
