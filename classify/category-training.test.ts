import { describe, expect, it } from 'vitest';
import { SOCIAL_WEIGHT, dedupRows, portalHoldOut, socialCategoryRows, type SourcedRow } from './category-training.js';

const spb = (text: string, created: string): SourcedRow => ({ text, label: 'ЖКХ', source: 'spb', created });
const kursk = (i: number): SourcedRow => ({ text: `курск ${i}`, label: i % 2 ? 'дороги' : 'ЖКХ', source: 'kursk', weight: 2 });

describe('category training rows', () => {
  it('turns social complaints into rows of their category with the social weight', () => {
    expect(socialCategoryRows([{ text: 'Торгуют у метро', category: 'предпринимательство' }])).toEqual([
      { text: 'Торгуют у метро', label: 'предпринимательство', source: 'social', weight: SOCIAL_WEIGHT },
    ]);
  });

  it('drops repeated text and label pairs (case and spacing ignored), keeping the first', () => {
    const rows = dedupRows([spb('Нет воды', '2021-01'), spb('нет  воды', '2021-02'), { ...spb('Нет воды', '2021-02'), label: 'дороги' }]);
    expect(rows.map((r) => [r.created, r.label])).toEqual([['2021-01', 'ЖКХ'], ['2021-02', 'дороги']]);
  });

  it('holds out SPb March 2021 and a fifth of Kursk; the social rows train only', () => {
    const all = [spb('февраль', '2021-02-10'), spb('март', '2021-03-05'), ...Array.from({ length: 20 }, (_, i) => kursk(i)), { text: 'сид', label: 'связь',
      source: 'seed' as const }];
    const social = socialCategoryRows([{ text: 'Торгуют у метро', category: 'предпринимательство' }]);
    const { train, spbTest, kurskTest } = portalHoldOut(all, social);
    expect(spbTest.map((r) => r.text)).toEqual(['март']);
    expect(kurskTest).toHaveLength(4);
    expect(train.map((r) => r.text)).toContain('февраль');
    expect(train.filter((r) => kurskTest.includes(r))).toEqual([]);
    expect(train.at(-1)).toEqual(social[0]);
    expect(train.some((r) => r.source === 'seed')).toBe(true);
  });
});
