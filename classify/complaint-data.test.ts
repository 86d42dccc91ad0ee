import { describe, expect, it } from 'vitest';
import { buildComplaintData, heuristicLabel, ruleCues, samplePortal } from './complaint-data.js';

describe('heuristicLabel', () => {
  it('labels problem reports as complaints, even when phrased as questions', () => {
    expect(heuristicLabel('А когда же будет убрано в парке? Сломанные скамейки, мусор…')).toBe('complaint');
    expect(heuristicLabel('Третий день нет горячей воды на Чайковского')).toBe('complaint');
  });
  it('labels requests for information as questions', () => {
    expect(heuristicLabel('Подскажите, где получить билеты на экскурсию?')).toBe('question');
    expect(heuristicLabel('Куда им обратиться по капремонту?')).toBe('question');
  });
  it('labels thanks, chatter and the page’s stock replies as other', () => {
    expect(heuristicLabel('Спасибо большое за праздник!')).toBe('other');
    expect(heuristicLabel('Готово')).toBe('other');
    expect(heuristicLabel('[USER], добрый день! Сообщаем, что ваше обращение направлено в администрацию района.')).toBe('other');
  });
  it('treats user-to-user banter as other, and long problem reports in replies as complaints', () => {
    expect(heuristicLabel('[USER], а вы сами-то видели, что там было?')).toBe('other');
    expect(heuristicLabel('[USER], согласна с вами полностью')).toBe('other');
    expect(heuristicLabel('[USER], ужас просто')).toBeNull();
    expect(
      heuristicLabel(
        '[USER], у нас во дворе на Гончарной мусор не вывозят уже неделю, контейнеры переполнены, крысы бегают по детской площадке, управляющая компания не отвечает',
      ),
    ).toBe('complaint');
  });
  it('recognises the page’s own replies even when the author is not recorded', () => {
    expect(heuristicLabel('[USER], доброе утро, Вам нужно обратиться в администрацию Невского района')).toBe('other');
    expect(heuristicLabel('[USER], Ваш вопрос передан коллегам, в ближайшее время они вернутся с ответом.')).toBe('other');
  });
  it('takes requests for action about neglect as complaints and plain information requests as questions', () => {
    expect(heuristicLabel('Почему не штрафуете торговцев у метро?')).toBe('complaint');
    expect(heuristicLabel('Почему не ремонтируют лифт в подъезде?')).toBe('complaint');
    // «почему не» before a word that is not a present-tense verb is a plain question.
    expect(heuristicLabel('Почему не видно расписания на сайте?')).toBe('question');
    expect(heuristicLabel('На дороге огромная яма, объехать нельзя')).toBe('complaint');
    expect(heuristicLabel('Добрый день! Будет ли в этом году праздник двора?')).toBe('question');
    expect(heuristicLabel('Здравствуйте, подскажите, как записаться на экскурсию')).toBe('question');
  });
  it('leaves long cue-less statements unlabelled', () => {
    expect(heuristicLabel('Вчера ходили с детьми на представление во дворце культуры, было много народу и выступали артисты')).toBeNull();
  });
});

describe('buildComplaintData', () => {
  it('uses posts and page replies as negatives, dedups texts and keeps threads on one side', () => {
    const vk = [
      { type: 'post', author_kind: 'page', page: 'p', post_id: '', item_id: '1', text: 'Приглашаем на праздник двора!' },
      { type: 'comment', author_kind: 'page', page: 'p', post_id: '1', item_id: '2', text: 'Ждём всех!' },
      { type: 'comment', author_kind: 'user', page: 'p', post_id: '1', item_id: '3', text: 'Опять во дворе мусор не убран' },
      { type: 'comment', author_kind: 'user', page: 'p', post_id: '1', item_id: '4', text: 'Опять во дворе мусор не убран' },
    ];
    const { rows, stats } = buildComplaintData(vk, ['Прошу убрать снег во дворе дома 5 по улице Мира'], { portalSample: 5 });
    expect(rows.map((r) => [r.origin, r.label])).toEqual([
      ['vk-post', 'other'],
      ['vk-page-reply', 'other'],
      ['vk-comment', 'complaint'],
      ['portal', 'complaint'],
    ]);
    expect(stats['portal:complaint']).toBe(1);
    expect(new Set(rows.filter((r) => r.origin !== 'vk-post' && r.origin !== 'portal').map((r) => r.group)).size).toBe(1);
  });
});

describe('ruleCues', () => {
  it('lists the rule groups that fire and the label the rules give', () => {
    expect(ruleCues('Когда уберут мусор во дворе?')).toEqual(['complaint', 'info', 'label-complaint']);
    expect(ruleCues('Спасибо за праздник!')).toEqual(['thanks', 'label-other']);
    expect(ruleCues('Вчера были на концерте во дворце культуры, выступали артисты и было очень много детей')).toEqual(['label-none']);
  });
  it('reads a reply to a person as VK writes it ([id…|Name]) like the dataset’s [USER]', () => {
    expect(ruleCues('[id5|Иван], ужас просто')).toEqual(ruleCues('[USER], ужас просто'));
    expect(heuristicLabel('[id5|Иван], согласна с вами полностью')).toBe('other');
  });
});

describe('samplePortal', () => {
  it('draws a seeded sample of texts of at least 20 characters', () => {
    const pool = Array.from({ length: 50 }, (_, i) => `обращение номер ${i} про двор и мусор`);
    const a = samplePortal([...pool, 'коротко'], 10, 7);
    expect(a).toHaveLength(10);
    expect(samplePortal([...pool, 'коротко'], 10, 7)).toEqual(a);
    expect(a).not.toContain('коротко');
    expect(samplePortal(pool, 10, 8)).not.toEqual(a);
  });
});
