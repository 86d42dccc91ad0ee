import { describe, expect, it } from 'vitest';
import { COMPLAINT_MODEL_LABELS, COMPLAINT_RECIPE, complaintTrainingRows, crossValidatedMargins, type GroupedComment } from './complaint-training.js';
import { groupFolds } from './datasets.js';
import { trainModel } from './train-model.js';

const TEXTS: [string, GroupedComment['label']][] = [
  ['Марата 14, снег не убран', 'complaint'],
  ['Яма у дома 3', 'complaint'],
  ['Нет горячей воды', 'complaint'],
  ['Ссылка не работает', 'complaint'],
  ['Когда уберут мусор?', 'complaint'],
  ['Двор не чистят неделю', 'complaint'],
  ['Как записаться на экскурсию?', 'question'],
  ['Какие документы нужны?', 'question'],
  ['Где получить билеты?', 'question'],
  ['Будет ли праздник?', 'question'],
  ['Спасибо!', 'other'],
  ['Готово', 'other'],
  ['Молодцы, красиво', 'other'],
  ['Отличный концерт', 'other'],
  ['С праздником!', 'other'],
  ['[USER], согласна', 'other'],
  ['Очень понравилось', 'other'],
  ['Ура!', 'other'],
];
const COMMENTS: GroupedComment[] = TEXTS.map(([text, label], i) => ({ text, label, group: `t${i % 6}` }));
const PORTAL = ['Прошу убрать снег во дворе дома 5 по улице Мира', 'Третий день нет отопления в квартире на Ленина'];

describe('crossValidatedMargins', () => {
  it('scores each comment with the recipe fitted on the other folds only, without offsets, in model label order', () => {
    const heldOutSeen: string[][] = [];
    const margins = crossValidatedMargins(COMMENTS, PORTAL, {
      k: 3,
      seed: 5,
      options: { features: { ...COMPLAINT_RECIPE.options.features, minDf: 1, hashBits: 18 } },
      extraRows: (held) => {
        heldOutSeen.push([...held].sort());
        return [];
      },
    });
    const folds = groupFolds(COMMENTS, (c) => c.group, 3, 5);
    expect(heldOutSeen).toEqual([0, 1, 2].map((f) => [...new Set(COMMENTS.filter((_, i) => folds[i] === f).map((c) => c.group))].sort()));
    const fold0 = COMMENTS.filter((_, i) => folds[i] !== 0);
    const { marginOffsets: _offsets, ...options } = COMPLAINT_RECIPE.options;
    const model = trainModel(complaintTrainingRows(fold0, PORTAL), { ...options, features: { ...options.features, minDf: 1, hashBits: 18 }, calibrate: false });
    expect([...model.labels]).toEqual([...COMPLAINT_MODEL_LABELS]);
    const first = folds.indexOf(0);
    expect(Array.from(margins[first]!)).toEqual(Array.from(model.margins(COMMENTS[first]!.text)));
    expect(margins.every((m) => m.length === 3)).toBe(true);
  });
});
