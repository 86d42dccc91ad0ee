import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDeadlineRules, decideDeadline, type DeadlineRules } from './deadlines.js';
import { parseRegionConfig } from './region-config.js';

const rules: DeadlineRules = {
  standardDays: 30,
  fastTrackDays: 10,
  fastTrack: { categories: ['ЖКХ'], reasons: ['Отсутствие отопления'], keywords: ['нет горячей воды', 'упало дерево'] },
  federalServices: [
    { id: 'mvd-registration', name: 'МВД — регистрационный учёт', days: 5, keywords: ['паспортный стол', 'прописка'] },
    { id: 'fns-tax', name: 'ФНС', days: 15, keywords: ['налоговый вычет'] },
  ],
};

describe('decideDeadline', () => {
  it('gives the standard term when no rule applies', () => {
    expect(decideDeadline(rules, { category: 'дороги', text: 'Яма на дороге' })).toEqual({ fastTrack: false, deadlineDays: 30, rule: 'standard' });
  });

  it('fast-tracks by category (case-insensitive) and by reason', () => {
    expect(decideDeadline(rules, { category: 'жкх', text: 'Течёт кран' })).toEqual({ fastTrack: true, deadlineDays: 10, rule: 'fast-track:category' });
    expect(decideDeadline(rules, { category: 'благоустройство', reason: 'отсутствие отопления', text: 'Холодно' })).toMatchObject({ fastTrack: true,
      rule: 'fast-track:reason' });
  });

  it('fast-tracks by keyword phrases in any case form', () => {
    expect(decideDeadline(rules, { category: 'благоустройство', text: 'Во дворе упало дерево на машину' })).toMatchObject({ fastTrack: true, deadlineDays: 10,
      rule: 'fast-track:keyword:упало дерево' });
    expect(decideDeadline(rules, { category: 'благоустройство', text: 'Третий день НЕТ ГОРЯЧЕЙ ВОДЫ' })).toMatchObject({ fastTrack: true });
    // Inflected: the substring "упало дерево" is absent, the stems are there (in order, within a short window).
    expect(decideDeadline(rules, { category: 'благоустройство', text: 'У школы упали деревья' })).toMatchObject({ fastTrack: true,
      rule: 'fast-track:keyword:упало дерево' });
    expect(decideDeadline(rules, { category: 'благоустройство', text: 'Вчера упало большое дерево' })).toMatchObject({ fastTrack: true });
    expect(decideDeadline(rules, { category: 'благоустройство', text: 'Дерево давно упало бы, если бы не подпорки' })).toMatchObject({ rule: 'standard' });
  });

  it('matches phrases in any word order within one sentence, «не» bound to its word', () => {
    const region = { ...rules, fastTrack: { categories: [], keywords: ['не работает светофор', 'нет горячей воды'] } };
    const keyword = (text: string) => decideDeadline(region, { category: 'дороги', text }).rule;
    expect(keyword('Светофор на углу не работает')).toBe('fast-track:keyword:не работает светофор');
    expect(keyword('Второй день светофор не работает, проехать невозможно')).toBe('fast-track:keyword:не работает светофор');
    expect(keyword('Горячей воды нет с понедельника')).toBe('fast-track:keyword:нет горячей воды');
    expect(keyword('В доме горячей воды уже неделю нет')).toBe('fast-track:keyword:нет горячей воды');
    // «не» negates the word after it (at most one word between): a working light is no fast track.
    expect(keyword('Светофор работает, не мигает жёлтым')).toBe('standard');
    expect(keyword('Светофор не всегда работает')).toBe('fast-track:keyword:не работает светофор');
    // Words of one phrase in two sentences, or too far apart, are not the phrase.
    expect(keyword('Горячая вода есть. А вот холодной нет')).toBe('standard');
    expect(keyword('Нет никакой возможности пройти: у дома вода, горячей её не назовёшь')).toBe('standard');
  });

  it('fast-tracks by the reason the channel gives, through the classifier', () => {
    expect(decideDeadline(rules, { category: 'Дороги', reason: 'Отсутствие отопления', text: 'В квартире холодно' })).toMatchObject({ rule: 'fast-track:reason',
      deadlineDays: 10 });
    expect(decideDeadline(rules, { category: 'Дороги', reason: 'Ямы на дорогах', text: 'Яма' })).toMatchObject({ rule: 'standard' });
  });

  it('routes federal-service requests with their own term first', () => {
    expect(decideDeadline(rules, { category: 'ЖКХ', text: 'В паспортном столе не принимают документы на прописку' })).toEqual({ fastTrack: false,
      deadlineDays: 5, federalService: 'mvd-registration', rule: 'federal:mvd-registration' });
    expect(decideDeadline(rules, { category: 'соцзащита', text: 'Не могу получить налоговый вычет' })).toMatchObject({ deadlineDays: 15,
      federalService: 'fns-tax' });
  });

  it('rejects federal terms outside 1..15 days', () => {
    expect(() => createDeadlineRules({ ...rules, federalServices: [{ id: 'x', name: 'x', days: 20, keywords: ['x'] }] })).toThrow(/1\.\.15/);
  });

  it('works with the shipped region config', () => {
    const region = parseRegionConfig(readFileSync(new URL('../config/region.yaml', import.meta.url), 'utf8'));
    expect(decideDeadline(region, { category: 'ЖКХ', text: 'Нет горячей воды в доме на Ленина' })).toMatchObject({ fastTrack: true, deadlineDays: 10 });
    expect(decideDeadline(region, { category: 'благоустройство', text: 'Скамейка сломана' })).toMatchObject({ fastTrack: false, deadlineDays: 30 });
  });
});
