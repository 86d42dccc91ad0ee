import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPhysicalProblem, lintAnswer, phraseThenWithin, wordThenWithin, type LintInput } from './answer-lint.js';

const codes = (input: LintInput) => lintAnswer(input).map((w) => w.code).sort();

const GOOD_ROAD_ANSWER = 'Здравствуйте, Анна Сергеевна! По Вашему обращению о яме на проезжей части ул. Ленина, 12 сообщаем: 21 ноября ' +
  'специалисты МКУ «Управление дорог» провели обследование участка, 23 ноября выбоина устранена методом литого ' +
  'асфальта. Фотографии выполненных работ прилагаем. Если дефект появится снова, звоните по телефону ' +
  '+7 (391) 226-10-15 или пишите на dorogi@admkrsk.ru. С уважением, МКУ «УДИБ».';

describe('lintAnswer', () => {
  it('passes a greeting, concrete, contactable answer with a photo on a road problem', () => {
    expect(codes({ text: GOOD_ROAD_ANSWER, attachments: [{ kind: 'photo' }], category: 'Дороги', messageText: 'Яма на дороге у дома' })).toEqual([]);
  });

  it('asks for photo or video when the problem is physical and nothing is attached', () => {
    expect(codes({ text: GOOD_ROAD_ANSWER, attachments: [{ kind: 'document' }], category: 'Дороги' })).toEqual(['attachments']);
    // The same answer on a non-physical question needs no picture.
    expect(codes({ text: GOOD_ROAD_ANSWER, category: 'Образование', messageText: 'Когда откроется запись в первый класс?' })).toEqual([]);
  });

  it('recognises the classic formal non-answer («отписка»)', () => {
    const text = 'Ваше обращение рассмотрено. Информация принята к сведению. Вопрос будет рассмотрен в установленном порядке ' +
      'в рамках компетенции администрации района при наличии финансирования в следующем году.';
    expect(codes({ text, category: 'ЖКХ', messageText: 'В подъезде течёт крыша' })).toEqual(
      ['attachments', 'contacts', 'formal', 'greeting', 'measures'].sort(),
    );
  });

  it('flags rude wording and shouting', () => {
    const rude = 'Здравствуйте. Это не ваше дело, как мы распределяем бюджет. Ремонт выполнен, вопросы по телефону 8 391 222-33-44, хватит писать.';
    expect(codes({ text: rude })).toContain('tone');
    const shouting = 'ЗДРАВСТВУЙТЕ! ВАША ЖАЛОБА РАССМОТРЕНА, НАРУШЕНИЙ НЕ ВЫЯВЛЕНО, ДВОР УБРАН, ТЕЛЕФОН 8 391 222-33-44!!!';
    expect(codes({ text: shouting })).toContain('tone');
    expect(codes({ text: GOOD_ROAD_ANSWER, attachments: [{ kind: 'video' }] })).not.toContain('tone');
  });

  it('wants contacts and a greeting, and accepts «Уважаемый» and ё/е spellings', () => {
    const noContacts = 'Уважаемый Иван Петрович! Сообщаем, что контейнерная площадка во дворе дома № 5 очищена, вывоз мусора ' +
      'организован ежедневно с 25 ноября, подрядчику выдано предписание. Благодарим за неравнодушие.';
    expect(codes({ text: noContacts, attachments: [{ kind: 'photo' }] })).toEqual(['contacts']);
    const yo = 'Добрый день! Освещение на остановке восстановлено: заменён светильник, проверено подключение. ' +
      'Электромонтёры ООО «Горсвет» провели осмотр 20 ноября. Телефон диспетчерской: 8 (391) 200-00-00. Спасибо за сообщение.';
    expect(codes({ text: yo, attachments: [{ kind: 'photo' }] })).toEqual([]);
  });

  it('marks an answer that only promises nothing as too short and without measures', () => {
    expect(codes({ text: 'Здравствуйте. Разберёмся.' })).toEqual(['contacts', 'measures', 'too_short']);
  });

  it('tells each warning in Russian', () => {
    for (const w of lintAnswer({ text: 'ок' })) expect(w.message).toMatch(/[А-Яа-я]/);
  });

  it('decides physical problems by category or by words of the message', () => {
    expect(isPhysicalProblem({ category: 'ЖКХ' })).toBe(true);
    expect(isPhysicalProblem({ category: 'Прочее', messageText: 'Во дворе не убирают снег' })).toBe(true);
    expect(isPhysicalProblem({ category: 'Здравоохранение', messageText: 'Не могу записаться к терапевту' })).toBe(false);
  });
});

describe('the answer check on hostile text', () => {
  // The rules as regular expressions, before they were made linear: the reference for what they must still find.
  const INSPECTION = /(выезд|обследован|осмотр|проверк)[а-я]*\s+.{0,60}(проведен|состоял|выполнен)/;
  const NO_GROUNDS = /оснований\s+для\s+.{0,40}не\s+имеется/;
  const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
  const PHONE_LABEL = /(по\s+телефону|тел\.|телефон)\s*:?\s*\d/;

  const pieces = fc.constantFrom('выезд', 'проверк', 'осмотра', 'а', 'ов', ' ', '   ', '\n', '\t', '\u2028', 'проведен', 'выполнена', 'состоялся', 'оснований',
    'для', 'не', 'имеется', 'x', '.', ',', 'аааааааааа', 'ааааааааааааааааааааааааа');
  const text = fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''));

  it('finds «inspection … carried out» within 60 characters exactly where the expression did', () => {
    fc.assert(fc.property(text, (t) => {
      expect(wordThenWithin(t, ['выезд', 'обследован', 'осмотр', 'проверк'], 60, ['проведен', 'состоял', 'выполнен'])).toBe(INSPECTION.test(t));
    }), { numRuns: 3000 });
  });

  it('finds «оснований для … не имеется» within 40 characters exactly where the expression did', () => {
    fc.assert(fc.property(text, (t) => {
      expect(phraseThenWithin(t, ['оснований', 'для'], 40, ['не', 'имеется'])).toBe(NO_GROUNDS.test(t));
    }), { numRuns: 3000 });
  });

  it('finds contacts exactly where the expressions did', () => {
    const contact = fc.array(fc.constantFrom('a', '.', '+', '-', '_', '@', ' ', 'ru', 'тел.', 'телефон', 'по телефону', ':', '\t', '5'), { maxLength: 20 }).map(
      (p) => p.join(''),
    );
    fc.assert(fc.property(contact, (t) => {
      const withContacts = !lintAnswer({ text: t }).some((w) => w.code === 'contacts');
      expect(withContacts).toBe(/\+?\d[\d\s()-]{8,}\d/.test(t) || EMAIL.test(t) || PHONE_LABEL.test(t));
    }), { numRuns: 3000 });
  });

  it("keeps judging the issue's hostile answers (long runs before an @, of dots, of «выезд»)", () => {
    expect(codes({ text: `${'a'.repeat(20_000)}@` })).toContain('contacts');
    expect(codes({ text: `Здравствуйте! ${'выезда'.repeat(3000)} x` })).toContain('measures');
    expect(codes({ text: `Здравствуйте! Выезд ${' '.repeat(5000)} проведен 20 ноября.` })).not.toContain('measures');
  });
});
