import { beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyDeps } from '../classify/classify-message.js';
import { classifyMessage } from '../classify/classify-message.js';
import { loadClassifier } from '../classify/load-classifier.js';
import { authorHash } from '../lib/hash.js';
import { messageIdFor } from '../lib/ids.js';
import { createLogger } from '../lib/logger.js';
import { DELIVERY_CHANNELS, deliveryChannelOf, incomingMessageSchema, NETWORK_SOURCES, SOURCES, type Source } from '../lib/queues.js';
import { SOURCE_LABELS } from '../lib/sources.js';
import { CHANNELS } from './stats.js';
import { NETWORKS } from './index.js';

// One list names the networks (lib/sources.ts); everything a network needs outside its folder must follow from it.
describe('every network of NETWORK_SOURCES', () => {
  let deps: ClassifyDeps;
  beforeAll(async () => {
    deps = await loadClassifier({ modelsDir: 'models', gazetteerPath: 'config/gazetteer/krasnoyarsk-krai.json', regionConfigPath: 'config/region.yaml' },
      createLogger('silent'));
  });

  const chatter = (source: Source) =>
    incomingMessageSchema.parse({
      messageId: messageIdFor(source, `chatter-${source}`),
      source,
      externalId: `chatter-${source}`,
      receivedAt: '2026-11-20T10:00:00+07:00',
      text: 'Поздравляем всех с праздником! Желаем здоровья и счастья!',
      authorHash: authorHash('salt', source, 'u1'),
      raw: {},
    });

  it("has its folder's descriptor in NETWORKS, once", () => {
    expect(NETWORKS.map((n) => n.name).sort()).toEqual([...NETWORK_SOURCES].sort());
  });

  it.each(NETWORK_SOURCES)('%s is a source, a delivery channel and a counted channel, and replies leave on it', (network) => {
    expect(SOURCES).toContain(network);
    expect(DELIVERY_CHANNELS).toContain(network);
    expect(CHANNELS).toContain(network);
    expect(deliveryChannelOf({ source: network, target: {} })).toBe(network);
  });

  it.each(NETWORK_SOURCES)('%s has a label, a badge and a note on where the answer goes', (network) => {
    const label = SOURCE_LABELS[network];
    expect(label.name).not.toBe('');
    expect(label.short).not.toBe('');
    expect(label.replyNote).toMatch(/Ответ/);
  });

  it.each(NETWORK_SOURCES)('%s posts are social: the complaint model tells chatter from a complaint', (network) => {
    expect(classifyMessage(chatter(network), deps).classification.kind).toBe('other');
  });

  it('direct appeals (the widget, the 122) are not: they are complaints whatever they say', () => {
    expect(classifyMessage(chatter('widget'), deps).classification.kind).toBe('complaint');
    expect(classifyMessage(chatter('contact_center'), deps).classification.kind).toBe('complaint');
  });
});
