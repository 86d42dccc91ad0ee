import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { COMPLAINT_CUE_SET, complaintCues } from './complaint-cues.js';
import { COMPLAINT_RECIPE, complaintTrainingRows, decideComplaint } from './complaint-training.js';
import { loadModel, modelFromJSON } from './linear-text-model.js';
import { trainModel, type TrainRow } from './train-model.js';

describe('complaintCues', () => {
  it('sees a bare address, whom a reply addresses and where its question mark is', () => {
    expect(complaintCues('Марата 14')).toMatchObject({ 'cue.addr': 'bare', 'cue.len': 'a', 'cue.to': 'none', 'cue.q': 'no' });
    expect(complaintCues('[club1|Центральный район], Коллонтай 16,к1 то же')).toMatchObject({ 'cue.addr': 'bare', 'cue.to': 'page', 'cue.metoo': 'y' });
    // VK writes a person's mention with the id; the shared dataset as [USER]: both are a reply to a user.
    expect(complaintCues('[id42|Анна], и мы на 4-е!')['cue.to']).toBe('user');
    expect(complaintCues('[USER], и мы на 4-е!')['cue.to']).toBe('user');
    expect(complaintCues('Когда уберут снег? Невозможно пройти')['cue.q']).toBe('mid');
    expect(complaintCues('Когда уберут снег?!')['cue.q']).toBe('end');
    expect(complaintCues('Спасибо за праздник, всё очень понравилось, ждём ещё')['cue.addr']).toBe('no');
  });

  it('marks failures of a booking, questions to other readers and demands to the authority', () => {
    expect(complaintCues('Ссылка не работает, мест нет')['cue.failure']).toBe('y');
    expect(complaintCues('Кто-нибудь ходил за билетами?')['cue.askusers']).toBe('y');
    expect(complaintCues('Верните площадку в парк!')['cue.demand']).toBe('y');
    expect(complaintCues('Спасибо за праздник')).not.toHaveProperty('cue.failure');
  });

  it('carries the weak-label rules as cues, with the pairs a linear model cannot form', () => {
    const cues = complaintCues('Подскажите, когда уберут мусор во дворе?');
    expect(cues).toMatchObject({ 'cue.rule.complaint': 'y', 'cue.rule.info': 'y', 'cue.pair': 'problem-question' });
    expect(complaintCues('Спасибо за праздник!')).toMatchObject({ 'cue.rule.thanks': 'y', 'cue.rule.label-other': 'y' });
  });
});

const ROWS: TrainRow[] = [
  ...['Марата 14', 'Радищева 5', 'Нет воды третий день', 'Ссылка не работает', 'Когда уберут мусор?', 'Яма у дома 3'].map((text) => ({ text,
    label: 'complaint' })
  ),
  ...['Как записаться на экскурсию?', 'Подскажите, какие документы нужны?', 'Где получить билеты?', 'Будет ли праздник?'].map((text) => ({ text,
    label: 'question' })
  ),
  ...['Спасибо!', 'Готово', 'Молодцы, красиво', 'Отличный концерт', 'С праздником!', '[USER], согласна'].map((text) => ({ text, label: 'other' })),
];
const SMALL = { features: { minDf: 1, hashBits: 18 }, calibrate: false } as const;
const WITH_CUES = { ...SMALL, features: { ...SMALL.features, cues: COMPLAINT_CUE_SET } } as const;

describe('a model with a cue set', () => {
  it('scores the derived cues, and is saved as format version 3 and read back with identical margins', async () => {
    const plain = trainModel(ROWS, SMALL);
    const cued = trainModel(ROWS, WITH_CUES);
    expect(Array.from(cued.margins('Чайковского 7'))).not.toEqual(Array.from(plain.margins('Чайковского 7')));
    const path = join(tempDir('cues'), 'm.json');
    await cued.save(path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.formatVersion).toBe(3);
    expect(json.features.cues).toBe(COMPLAINT_CUE_SET);
    const loaded = await loadModel(path);
    for (const text of ['Чайковского 7', '[id5|Иван], тоже нет мест', 'Спасибо', '']) {
      expect(Array.from(loaded.margins(text))).toEqual(Array.from(cued.margins(text)));
    }
    // A caller's context joins the cues and wins on a clash.
    expect(Array.from(cued.margins('Марата 14', { 'cue.addr': 'no' }))).not.toEqual(Array.from(cued.margins('Марата 14')));
  });

  it('stays format version 1 without cues, and refuses cues under an older version or of an unknown set', () => {
    expect(trainModel(ROWS, SMALL).toJSON().formatVersion).toBe(1);
    const json = trainModel(ROWS, WITH_CUES).toJSON();
    expect(() => modelFromJSON({ ...json, formatVersion: 2 })).toThrow(/formatVersion 3/);
    expect(() => modelFromJSON({ ...json, features: { ...json.features, cues: 'no-such-set' } })).toThrow(/unknown cue set/);
    expect(() => trainModel(ROWS, { ...SMALL, features: { ...SMALL.features, cues: 'no-such-set' } })).toThrow(/unknown cue set/);
  });
});

describe('marginOffsets', () => {
  it('moves the named labels’ margins by their offsets and records them', () => {
    const plain = trainModel(ROWS, SMALL);
    const moved = trainModel(ROWS, { ...SMALL, marginOffsets: { question: 0.5, complaint: -0.25 } });
    const labels = [...plain.labels];
    for (const text of ['Марата 14', 'Как записаться?', 'Спасибо']) {
      const a = plain.margins(text);
      const b = Array.from(moved.margins(text));
      const want = [a[labels.indexOf('complaint')]! - 0.25, a[labels.indexOf('other')]!, a[labels.indexOf('question')]! + 0.5];
      labels.forEach((l, k) => expect(b[k]).toBeCloseTo(want[['complaint', 'other', 'question'].indexOf(l)]!, 4));
    }
    expect(moved.trainingInfo.marginOffsets).toEqual({ question: 0.5, complaint: -0.25 });
  });

  it('refuses an offset for a label the data do not have', () => {
    expect(() => trainModel(ROWS, { ...SMALL, marginOffsets: { spam: 1 } })).toThrow(/no label "spam"/);
  });
});

describe('the complaint recipe', () => {
  it('adds the portal sample as lighter complaints and decides with the recipe’s offsets', () => {
    const rows = complaintTrainingRows([{ text: 'Готово', label: 'other' }], ['Прошу убрать снег во дворе дома 5 по улице Мира', 'коротко']);
    expect(rows).toEqual([
      { text: 'Готово', label: 'other' },
      { text: 'Прошу убрать снег во дворе дома 5 по улице Мира', label: 'complaint', weight: COMPLAINT_RECIPE.portalWeight },
    ]);
    // Margins in model order complaint, other, question: the question offset turns a near tie into a question.
    const near = Float64Array.from([0, 0.1, 0]);
    expect(decideComplaint([near], {})).toEqual(['other']);
    expect(decideComplaint([near])).toEqual(['question']);
  });

  it('refuses a format version newer than this code reads', () => {
    const path = join(tempDir('cues'), 'old.json');
    writeFileSync(path, JSON.stringify({ ...trainModel(ROWS, WITH_CUES).toJSON(), formatVersion: 4 }));
    return expect(loadModel(path)).rejects.toThrow(/not an otklik.text-model/);
  });
});
