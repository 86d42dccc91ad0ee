import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { decodeVarints, decodeWeights } from './codec.js';
import { DEFAULT_FEATURES, FeatureExtractor, idfFromDf, weigh, type FeatureConfig } from './features.js';
import { loadModel, type LinearTextModel } from './linear-text-model.js';
import { softmax } from './probabilities.js';
import { fitTemperature, trainModel, type TrainRow } from './train-model.js';

// A tiny but real-looking training set: three ПОС categories, a dozen appeals each.
const ROWS: TrainRow[] = [
  ...[
    'Третий день нет горячей воды в доме',
    'Не работает отопление, батареи холодные',
    'Протекает крыша, заливает квартиру на пятом этаже',
    'В подъезде не горит свет и грязно',
    'Управляющая компания не убирает подъезд',
    'Сломан лифт в подъезде номер два',
    'Из крана течёт ржавая холодная вода',
    'Затопило подвал канализацией, запах в подъезде',
    'Батареи еле тёплые, в квартире холодно',
    'Не вывозят мусор из мусоропровода',
    'Прорвало трубу горячего водоснабжения в подвале',
    'Плохой напор воды на верхних этажах',
  ].map((text) => ({ text, label: 'ЖКХ' })),
  ...[
    'Огромная яма на дороге у остановки',
    'Разбитый асфальт на проезжей части, ямы',
    'Не работает светофор на перекрёстке',
    'Дорогу не чистят от снега, гололёд',
    'Нужен пешеходный переход возле школы',
    'Стерлась дорожная разметка на улице Ленина',
    'После ремонта дороги снова выбоины',
    'Упал дорожный знак на обочину',
    'На трассе глубокие ямы, машины бьют колёса',
    'Просим отремонтировать дорожное покрытие',
    'Снежная каша на проезжей части, не проехать',
    'Нет тротуара вдоль дороги, люди идут по проезжей части',
  ].map((text) => ({ text, label: 'дороги' })),
  ...[
    'Автобус по маршруту 12 не пришёл, ждали час',
    'Водитель автобуса нагрубил пассажирам',
    'Отменили пригородный автобус до деревни',
    'В маршрутке грязно и холодно',
    'Автобусы ходят переполненные в час пик',
    'Электричку отменили без предупреждения',
    'Просим добавить рейсы автобуса вечером',
    'Кондуктор не дал сдачу и высадил из автобуса',
    'Троллейбус сломался, интервал движения сорок минут',
    'Расписание автобусов не соблюдается',
    'Нет остановки общественного транспорта у поликлиники',
    'Маршрутка проехала мимо остановки не останавливаясь',
  ].map((text) => ({ text, label: 'транспорт' })),
];

const tmp = () => tempDir('model');
const SMALL = { features: { minDf: 1, hashBits: 18 }, calibrate: false } as const;

describe('trainModel', () => {
  it('learns a tiny Russian set and generalises to unseen phrasings', () => {
    const model = trainModel(ROWS, SMALL);
    expect([...model.labels]).toEqual(['дороги', 'ЖКХ', 'транспорт']);
    expect(model.predict('В квартире холодные батареи, нет отопления').label).toBe('ЖКХ');
    expect(model.predict('Яма на дороге возле дома').label).toBe('дороги');
    expect(model.predict('Автобус опять не пришёл по расписанию').label).toBe('транспорт');
    const p = model.predict('Гололёд на дороге');
    expect(p.top).toHaveLength(3);
    expect(p.top.reduce((s, t) => s + t.score, 0)).toBeCloseTo(1, 4);
    expect(p.confidence).toBe(p.top[0]!.score);
    expect(p.top[0]!.score).toBeGreaterThanOrEqual(p.top[1]!.score);
  });

  it('reports progress for feature extraction and each class', () => {
    const events: { epoch: number; done: number; total: number }[] = [];
    trainModel(ROWS, { ...SMALL, onProgress: (p) => events.push(p) });
    expect(events.at(0)).toEqual({ epoch: 0, done: ROWS.length, total: ROWS.length });
    expect(events.filter((e) => e.epoch === 1).map((e) => e.done)).toEqual([1, 2, 3]);
  });

  it('uses context columns as features', () => {
    // The text is identical; only the district tells the labels apart.
    const rows: TrainRow[] = [];
    for (let i = 0; i < 10; i++) {
      rows.push({ text: 'Прошу разобраться с проблемой', label: 'Невский', context: { district: 'Невский' } });
      rows.push({ text: 'Прошу разобраться с проблемой', label: 'Выборгский', context: { district: 'Выборгский' } });
    }
    const model = trainModel(rows, SMALL);
    expect(model.predict('Прошу разобраться с проблемой', { district: 'невский' }).label).toBe('Невский');
    expect(model.predict('Прошу разобраться с проблемой', { district: 'Выборгский' }).label).toBe('Выборгский');
  });

  it('is deterministic: the same data and options give the same content hash', () => {
    const a = trainModel(ROWS, SMALL);
    const b = trainModel(ROWS, SMALL);
    expect(a.version.slice(11)).toBe(b.version.slice(11));
    expect(a.version).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{12}$/);
    const c = trainModel(ROWS, { ...SMALL, C: 2 });
    expect(c.version.slice(11)).not.toBe(a.version.slice(11));
  });

  it('fits a softmax temperature on a hold-out when asked', () => {
    const rows = [...ROWS, ...ROWS, ...ROWS];
    const model = trainModel(rows, { ...SMALL, calibrate: true });
    expect(model.temperature).toBeGreaterThan(0);
    expect(model.temperature).not.toBe(1);
  });
});

/** Margins the slow, obvious way: training's extractor and weighting, then a dense dot product. */
function referenceMargins(model: LinearTextModel, text: string, context?: Record<string, string>): number[] {
  const f = model.toJSON();
  const K = f.labels.length;
  const cfg = f.features as FeatureConfig;
  const buckets = decodeVarints(f.vocab.buckets, f.vocab.size, true);
  const lookup = new Int32Array(1 << cfg.hashBits).fill(-1);
  buckets.forEach((b, c) => (lookup[b] = c));
  const idf = idfFromDf(decodeVarints(f.vocab.df, f.vocab.size, false), f.vocab.nDocs);
  const W = decodeWeights(f.weights, f.vocab.size * K, K);
  const ex = new FeatureExtractor(cfg);
  const n = ex.extract(text, context);
  const cols = new Int32Array(n);
  const vals = new Float32Array(n);
  const m = weigh(ex, lookup, idf, cols, vals);
  const out = f.bias.slice();
  const acc = new Array<number>(K).fill(0);
  for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) acc[k]! += vals[i]! * W.values[cols[i]! * K + k]!;
  return out.map((b, k) => b + acc[k]! * W.scales[k]!);
}

describe('LinearTextModel.margins (cached per-word fast path)', () => {
  const texts = [
    'Третий день нет горячей воды в доме',
    // Repeated words and shared n-grams exercise the sublinear-TF correction.
    'Яма яма яма на дороге, дорога дорожная, дороги разбиты, ямы ямы',
    'Автобус 12 не пришёл, 8 913 123 45 67, https://vk.com/x [USER] 😡',
    'совсем другой текст про котов',
    '',
  ];
  const configs: Partial<FeatureConfig>[] = [
    {},
    { wordNgrams: 3, removeStopWords: true },
    { sublinearTf: false, charMin: 2, charMax: 4 },
    { charMax: 0 },
    { crossContext: 1 },
    { crossContext: 2, removeStopWords: true, crossWeight: 0.7 },
    { crossContext: 2, sublinearTf: false, charMax: 0 },
  ];
  // Training rows carry districts (and a second column) so the conjunction features are in the vocabulary.
  const districts = ['Невский', 'Центральный', 'Кировский'];
  const withContext: TrainRow[] = ROWS.map((r, i) => ({ ...r, context: { district: districts[i % 3]!, ...(i % 2 ? { source: 'vk' } : {}) } }));
  for (const features of configs) {
    it(`matches training's feature pipeline for ${JSON.stringify(features)}`, () => {
      const model = trainModel(features.crossContext ? [...ROWS, ...withContext] : ROWS, { ...SMALL, features: { ...SMALL.features, ...features } });
      for (const text of [...texts, ...texts]) {
        const got = Array.from(model.margins(text));
        const want = referenceMargins(model, text);
        got.forEach((g, k) => expect(g).toBeCloseTo(want[k]!, 6));
      }
      const contexts: Record<string, string>[] = [{ district: 'Невский' }, { district: 'Центральный', source: 'vk' }, { district: 'нигде' }, { district: ' ' }];
      for (const ctx of contexts) {
        for (const text of [...texts, ROWS[13]!.text, ROWS[30]!.text]) {
          const want = referenceMargins(model, text, ctx);
          Array.from(model.margins(text, ctx)).forEach((g, k) => expect(g).toBeCloseTo(want[k]!, 6));
        }
      }
    });
  }

  it('adds context × word conjunctions only when crossContext is on', () => {
    const plain = new FeatureExtractor({ ...DEFAULT_FEATURES, hashBits: 18 });
    const crossed = new FeatureExtractor({ ...DEFAULT_FEATURES, hashBits: 18, crossContext: 2 });
    const ctx = { district: 'Невский' };
    plain.extract('яма на дороге', ctx);
    expect(plain.blockEnd[3]).toBe(plain.blockEnd[2]);
    crossed.extract('яма на дороге', ctx);
    // Three stems and two bigrams, crossed with the one context value.
    expect(crossed.blockEnd[3]! - crossed.blockEnd[2]!).toBe(5);
    crossed.extract('яма на дороге');
    expect(crossed.blockEnd[3]).toBe(crossed.blockEnd[2]);
  });
});

describe('LinearTextModel word cache', () => {
  it('gives the same margins after the cache has filled up and restarted', () => {
    const model = trainModel(ROWS, SMALL);
    const probe = 'Яма на дороге у остановки, автобус не пришёл';
    const before = Array.from(model.margins(probe));
    // 110 texts of 1,000 distinct made-up words push the cache past its 100,000-word limit.
    let id = 0;
    const word = () => {
      let n = id++;
      let w = 'ж';
      do {
        w += 'абвгдеклмнопрст'[n % 15];
        n = Math.floor(n / 15);
      } while (n > 0);
      return w;
    };
    for (let t = 0; t < 110; t++) model.margins(Array.from({ length: 1000 }, word).join(' '));
    expect(Array.from(model.margins(probe))).toEqual(before);
    referenceMargins(model, probe).forEach((want, k) => expect(before[k]).toBeCloseTo(want, 6));
  });
});

describe('save / loadModel', () => {
  for (const file of ['m.json', 'm.json.gz']) {
    it(`round-trips ${file} with identical predictions`, async () => {
      const model = trainModel(ROWS, { ...SMALL, quantize: 'int8' });
      const path = join(tmp(), file);
      await model.save(path);
      const raw = readFileSync(path);
      expect(raw[0] === 0x1f && raw[1] === 0x8b).toBe(file.endsWith('.gz'));
      const loaded = await loadModel(path);
      expect(loaded.version).toBe(model.version);
      expect([...loaded.labels]).toEqual([...model.labels]);
      for (const r of [...ROWS, { text: 'совсем другой текст про котов' }, { text: '' }]) {
        expect(loaded.predict(r.text)).toEqual(model.predict(r.text));
        expect(Array.from(loaded.margins(r.text))).toEqual(Array.from(model.margins(r.text)));
      }
    });
  }

  it('stores format, version, labels and feature config', async () => {
    const model = trainModel(ROWS, { ...SMALL, quantize: 'float32' });
    const path = join(tmp(), 'm.json');
    await model.save(path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json).toMatchObject({ format: 'otklik.text-model', formatVersion: 1, version: model.version, labels: ['дороги', 'ЖКХ', 'транспорт'] });
    expect(json.features).toMatchObject({ hashBits: 18, charMin: 3, charMax: 5, wordNgrams: 2 });
  });

  it('rejects files that are not models', async () => {
    const path = join(tmp(), 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'something-else' }));
    await expect(loadModel(path)).rejects.toThrow(/not an otklik.text-model/);
  });
});

describe('softmax and temperature', () => {
  it('softmax is normalised and sharpened by the temperature', () => {
    const p1 = softmax([1, 0, -1], 1);
    const p5 = softmax([1, 0, -1], 5);
    expect(p1.reduce((s, x) => s + x, 0)).toBeCloseTo(1);
    expect(p5[0]!).toBeGreaterThan(p1[0]!);
  });

  it('fitTemperature prefers a sharp temperature when margins are reliable and a soft one when they are not', () => {
    const margins = Array.from({ length: 50 }, () => Float64Array.from([0.5, -0.5]));
    const allRight = Int32Array.from({ length: 50 }, () => 0);
    const mixed = Int32Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 0 : 1));
    expect(fitTemperature(margins, allRight)).toBeGreaterThan(10);
    expect(fitTemperature(margins, mixed)).toBeLessThan(0.5);
  });
});
