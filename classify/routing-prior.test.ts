import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { loadModel } from './linear-text-model.js';
import { trainModel } from './train-model.js';
import { countTopicTable } from './routing-prior.js';
import { organizationType } from './routing-data.js';
import { ORGANIZATION_TYPE, trainRoutingModel, type RoutingTrainRow } from './routing-train.js';

const ROADS = ['яма на дороге', 'разбит асфальт', 'провал асфальта на проезде', 'дорогу не чистят от снега', 'выбоина на проезжей части'];
const HEAT = ['нет горячей воды', 'холодные батареи', 'нет отопления', 'течёт крыша в подъезде', 'протекает потолок'];

/**
 * In Северный roads go to the district administration and heating to the housing agency; in Южный the other way
 * round. Each text names a street of its district, which the place model can learn.
 */
function buildRows(): RoutingTrainRow[] {
  const rows: RoutingTrainRow[] = [];
  const org = (district: string, topic: 'дороги' | 'тепло') =>
    (district === 'Северный') === (topic === 'дороги') ? `Администрация ${district.slice(0, -2)}ого района` : `ЖА ${district.slice(0, -2)}ого района`;
  for (const [district, street] of [['Северный', 'улица Полярная'], ['Южный', 'проспект Солнечный']] as const) {
    for (const [topic, texts] of [['дороги', ROADS], ['тепло', HEAT]] as const) {
      for (const t of texts) {
        for (let i = 0; i < 3; i++) {
          rows.push({ text: `${t}, ${street} дом ${i + 1}`, label: org(district, topic), context: { district }, topics: { reason: topic } });
        }
      }
    }
  }
  return rows;
}

const SMALL = { calibrate: false, features: { hashBits: 16, minDf: 1 } } as const;

describe('organizationType', () => {
  it('masks the place whatever its case ending, and leaves other names alone', () => {
    const places = ['Невский', 'Кировский', 'Центральный'];
    expect(organizationType('СПб ГКУ ЖА Невского района', places)).toBe('СПб ГКУ ЖА {place} района');
    expect(organizationType('Администрация Кировского района', places)).toBe('Администрация {place} района');
    expect(organizationType('ГКУ ДОДД (Центральный район)', places)).toBe('ГКУ ДОДД ({place} район)');
    expect(organizationType('Комитет по энергетике', places)).toBe('Комитет по энергетике');
  });
});

describe('prune', () => {
  it('zeroes the weights within ±prune int8 levels and keeps the predictions of the training texts', () => {
    const rows = buildRows();
    const zeros = (m: ReturnType<typeof trainModel>) => Buffer.from(m.toJSON().weights.data, 'base64').filter((b) => b === 0).length;
    const full = trainModel(rows, SMALL);
    const pruned = trainModel(rows, { ...SMALL, prune: 2 });
    expect(zeros(pruned)).toBeGreaterThan(zeros(full));
    expect(pruned.trainingInfo.prune).toBe(2);
    for (const r of rows) expect(pruned.predict(r.text, r.context).label).toBe(full.predict(r.text, r.context).label);
  });
});

describe('countTopicTable', () => {
  it('counts organizations per topic and per place × topic as sparse pairs', () => {
    const t = countTopicTable([{ label: 1, topic: 0, place: 'Невский' }, { label: 1, topic: 0, place: 'невский ' }, { label: 0, topic: 1 }], 2);
    expect(t.byTopic).toEqual([[1, 2], [0, 1]]);
    expect(t.byPlaceTopic).toEqual({ невский: [[1, 2], []] });
  });
});

describe('routing model with topic priors', () => {
  const rows = buildRows();
  const withPriors = trainRoutingModel(rows, {
    ...SMALL,
    calibrate: true,
    placeKey: 'district',
    priors: [{ topic: 'reason', weight: 2, train: { features: SMALL.features } }, { topic: ORGANIZATION_TYPE, weight: 1, train: { features: SMALL.features } }],
  });

  it('routes by place × predicted topic, and falls back to the topic alone for an unknown place', () => {
    expect(withPriors.predict('яма на дороге у дома', { district: 'Северный' }).label).toBe('Администрация Северного района');
    expect(withPriors.predict('яма на дороге у дома', { district: 'Южный' }).label).toBe('ЖА Южного района');
    expect(withPriors.predict('нет отопления в квартире', { district: 'Южный' }).label).toBe('Администрация Южного района');
    // The direct model alone gets these right too (four classes separate linearly here): the priors must make it surer.
    const direct = trainModel(rows, { ...SMALL, calibrate: true });
    const scoreOf = (p: { top: { label: string; score: number }[] }, label: string) => p.top.find((t) => t.label === label)?.score ?? 0;
    for (const [text, district, want] of [['яма на дороге у дома', 'Южный', 'ЖА Южного района'], ['нет отопления в квартире', 'Северный',
      'ЖА Северного района']])
    {
      expect(scoreOf(withPriors.predict(text!, { district: district! }), want!)).toBeGreaterThan(
        scoreOf(direct.predict(text!, { district: district! }), want!),
      );
    }
    const p = withPriors.predict('нет отопления в квартире', { district: 'Западный' });
    expect(p.top.reduce((s, t) => s + t.score, 0)).toBeLessThanOrEqual(1.000001);
    expect(p.confidence).toBeGreaterThan(0);
  });

  it('saves as formatVersion 2 and loads back with identical predictions; plain models stay version 1', async () => {
    const dir = tempDir('prior');
    await withPriors.save(join(dir, 'r.json.gz'));
    const json = JSON.parse(gunzipSync(readFileSync(join(dir, 'r.json.gz'))).toString('utf8'));
    expect(json.formatVersion).toBe(2);
    expect(json.topicPriors).toHaveLength(2);
    expect(json.topicPriors[0].topicModel.formatVersion).toBe(1);
    const loaded = await loadModel(join(dir, 'r.json.gz'));
    expect(loaded.version).toBe(withPriors.version);
    for (const text of ['яма на дороге', 'нет горячей воды, улица Полярная', 'совсем другой текст', '']) {
      for (const context of [{ district: 'Северный' }, { district: 'Южный' }, { district: 'Западный' }, undefined]) {
        expect(loaded.predict(text, context)).toEqual(withPriors.predict(text, context));
      }
    }
    const plain = trainModel(rows, SMALL);
    await plain.save(join(dir, 'p.json'));
    expect(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')).formatVersion).toBe(1);
  });

  it('without a place in the context, sums the prior over the places read from the text', () => {
    const textOnly = trainRoutingModel(rows.map(({ context, ...r }) => ({ ...r, topics: { ...r.topics, district: context!.district! } })), {
      ...SMALL,
      calibrate: true,
      placeKey: 'district',
      priors: [{ topic: 'reason', weight: 3, predictPlace: true, train: { features: SMALL.features } }],
    });
    expect(textOnly.predict('яма на дороге, улица Полярная').label).toBe('Администрация Северного района');
    expect(textOnly.predict('яма на дороге, проспект Солнечный').label).toBe('ЖА Южного района');
    expect(textOnly.predict('нет отопления, проспект Солнечный').label).toBe('Администрация Южного района');
    // Without the place model the same prior cannot tell the districts apart.
    const noPlace = trainRoutingModel(rows.map(({ context: _c, ...r }) => r), {
      ...SMALL,
      calibrate: true,
      priors: [{ topic: 'reason', weight: 3, train: { features: SMALL.features } }],
    });
    const scoreOf = (p: { top: { label: string; score: number }[] }, label: string) => p.top.find((t) => t.label === label)?.score ?? 0;
    expect(scoreOf(textOnly.predict('яма на дороге, проспект Солнечный'), 'ЖА Южного района'))
      .toBeGreaterThan(scoreOf(noPlace.predict('яма на дороге, проспект Солнечный'), 'ЖА Южного района'));
  });

  it('rejects a version 1 file that carries priors', async () => {
    const { modelFromJSON } = await import('./linear-text-model.js');
    const json = withPriors.toJSON();
    expect(() => modelFromJSON({ ...json, formatVersion: 1 })).toThrow(/formatVersion 2/);
  });
});
