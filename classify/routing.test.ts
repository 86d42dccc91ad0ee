import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../lib/ids.js';
import { classificationSchema, incomingMessageSchema, type IncomingMessage } from '../lib/queues.js';
import { createBaselineModel } from './baseline.js';
import { classifyMessage } from './classify-message.js';
import { trainModel } from './train-model.js';
import { loadClassifier } from './load-classifier.js';
import { loadRegionConfig } from './region-config.js';
import { createLogger } from '../lib/logger.js';
import { routingContext, suggestOrganizations } from './routing.js';
import { kurskRoutingLabel, spbRoutingLabel } from './routing-data.js';

function buildPost(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  const externalId = `call-${Math.random().toString(36).slice(2)}`;
  return incomingMessageSchema.parse({
    messageId: messageIdFor('contact_center', externalId),
    source: 'contact_center',
    externalId,
    receivedAt: '2026-11-20T10:00:00+07:00',
    text: 'Во дворе яма на дороге',
    authorHash: 'a'.repeat(64),
    raw: {},
    ...overrides,
  });
}

// District administrations answer for the same topic in different places: only the place tells them apart.
const rows = ['Советский', 'Центральный'].flatMap((district) =>
  [
    'яма на дороге во дворе',
    'разбит асфальт у дома',
    'не убрана дорога от снега',
    'провал асфальта на проезде',
  ].map((text) => ({ text, label: `Администрация ${district} района`, context: { district } }))
);
rows.push(...['нет горячей воды в квартире', 'батареи холодные в доме', 'течёт крыша в подъезде', 'нет отопления третий день']
  .map((text) => ({ text, label: 'Департамент ЖКХ', context: { district: 'Советский' } })));
const model = trainModel(rows, { calibrate: false, features: { minDf: 1 } });

describe('routing suggestions', () => {
  it("uses the place as the `district` feature: the channel's district first, then the municipality", () => {
    expect(routingContext(buildPost({ provenance: { district: 'Советский' } }), 'город Красноярск')).toEqual({ district: 'Советский' });
    expect(routingContext(buildPost(), 'город Красноярск')).toEqual({ district: 'город Красноярск' });
    expect(routingContext(buildPost({ place: { municipality: 'город Норильск' } }), undefined)).toEqual({ district: 'город Норильск' });
    expect(routingContext(buildPost(), undefined)).toEqual({});
  });

  it('tells district organizations apart by the place and gives the top three with scores', () => {
    const s1 = suggestOrganizations(model, buildPost({ text: 'яма на дороге', provenance: { district: 'Советский' } }), undefined);
    const s2 = suggestOrganizations(model, buildPost({ text: 'яма на дороге', provenance: { district: 'Центральный' } }), undefined);
    expect(s1[0]!.organization).toBe('Администрация Советский района');
    expect(s2[0]!.organization).toBe('Администрация Центральный района');
    expect(s1).toHaveLength(3);
    for (const s of s1) expect(s.score).toBeGreaterThanOrEqual(0);
    expect(s1[0]!.score).toBeGreaterThanOrEqual(s1[1]!.score);
  });

  it('adds `routing` to the classification only when a routing model is loaded', () => {
    const deps = { categoryModel: createBaselineModel(), region: loadRegionConfig('config/region.yaml') };
    const without = classifyMessage(buildPost(), deps).classification;
    expect(without.routing).toBeUndefined();
    const withModel =
      classifyMessage(buildPost({ text: 'нет горячей воды', place: { municipality: 'Советский' } }), { ...deps, routingModel: model }).classification;
    expect(withModel.routing?.[0]?.organization).toBe('Департамент ЖКХ');
    expect(classificationSchema.parse(withModel).routing).toEqual(withModel.routing);
  });

  it("labels SPb rows by the executor, falling back to the answer's author; Kursk by «Ответственное лицо»", () => {
    expect(spbRoutingLabel({ responsible_org: ' ЖА Невского района ', answer_author: 'Администрация' })).toBe('ЖА Невского района');
    expect(spbRoutingLabel({ responsible_org: '', answer_author: 'Администрация Невского района' })).toBe('Администрация Невского района');
    expect(spbRoutingLabel({})).toBe('');
    expect(kurskRoutingLabel({ 'Ответственное лицо': 'Администрация города Курска' })).toBe('Администрация города Курска');
  });

  it('loads the default routing model with the classifier and suggests SPb organizations by district', async () => {
    const deps = await loadClassifier({ modelsDir: 'models', gazetteerPath: 'config/gazetteer/krasnoyarsk-krai.json', regionConfigPath: 'config/region.yaml' },
      createLogger('silent'));
    expect(deps.routingModel).toBeDefined();
    const c = classifyMessage(buildPost({ text: 'Не убран мусор во дворе, переполнены контейнеры', provenance: { district: 'Невский' } }), deps).classification;
    expect(c.routing).toHaveLength(3);
    expect(c.routing!.map((r) => r.organization).join(' ')).toMatch(/Невского района/);
  });
});
