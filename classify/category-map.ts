import { POS_CATEGORIES } from './baseline.js';

/**
 * Mapping of the public datasets' rubrics to the 15 ПОС categories; classify/LABELS.md explains every choice.
 * Rules are ordered patterns over the fine label (SPb `reason`, Kursk `Тематика`), falling back to the coarse label
 * (SPb `category`, Kursk `Категория` code). `null` drops the row (no ПОС category fits).
 */
export type PosCategory = (typeof POS_CATEGORIES)[number];
export const POS_LABELS: readonly PosCategory[] = POS_CATEGORIES;

type Rule = [RegExp, PosCategory | null];

/** SPb reasons, checked in order before the category default. */
export const SPB_REASON_RULES: Rule[] = [
  // Graffiti and notices are removed by the district's благоустройство services wherever they are painted,
  // including on road signs and traffic lights, so this rule comes before the road rules.
  [/несанкционированные надписи/, 'благоустройство'],
  [/остановочных пунктов/, 'транспорт'],
  [/строительной площадки/, 'строительство'],
  // «мусорн… контейнер»: the space is matched first so that only a space looks back for the word before it.
  [/контейнерн| (?<=мусорн\S* )контейнер|мусоропровод|мусоросборн/, 'ЖКХ'],
  [/реализация товаров/, 'предпринимательство'],
  [/снег на автомобильных дорогах|дорожного покрытия|дорожных знаков|светофор|лужи на проезжей|искусственных неровностей|парковочных мест|бордюрного камня/,
    'дороги'],
];

export const SPB_CATEGORY_DEFAULTS: Record<string, PosCategory | null> = {
  'Благоустройство': 'благоустройство',
  'Содержание МКД': 'ЖКХ',
  'Водоснабжение': 'ЖКХ',
  'Водоотведение': 'ЖКХ',
  'Кровля': 'ЖКХ',
  'Подвалы': 'ЖКХ',
  'Санитарное состояние': 'ЖКХ',
  'Фасад': 'ЖКХ',
  'Центральное отопление': 'ЖКХ',
  'Нарушение правил пользования общим имуществом': 'ЖКХ',
  'Нарушение порядка пользования общим имуществом': 'ЖКХ',
  'Повреждения или неисправность элементов уличной инфраструктуры': 'ЖКХ',
  'Незаконная информационная и (или) рекламная конструкция': 'благоустройство',
  'Состояние рекламных или информационных конструкций': 'благоустройство',
  'Незаконная реализация товаров с торгового оборудования (прилавок, ящик, с земли)': 'предпринимательство',
};

/** Kursk topics, checked in order before the code default. */
export const KURSK_TOPIC_RULES: Rule[] = [
  [/остановки общественного транспорта/, 'транспорт'],
  [/вырубка зел[её]ных насаждений в лесопарковых|пожарной безопасности в сфере природопользования/, 'лесное хозяйство'],
  [/строительство инженерных сетей/, 'строительство'],
  [/ямы и выбоины на тротуарах|строительство тротуара/, 'дороги'],
  [
    /аварийные деревья|сорная растительность|очистка дворовой территории|уборка улиц|уборка дворовой|наружное освещение|детской\s+\(спортивной\)|клумб|парков и скверов|ливнев|восстановление нарушенного благоустройства|фасадов зданий|малые архитектурные|внутридворовых проездах|наружная реклама/,
    'благоустройство',
  ],
  [/сфере образования/, 'образование'],
  [/бизнесу|сфере торговли/, 'предпринимательство'],
  [/сфере медицины/, 'здравоохранение'],
];

export const KURSK_CODE_DEFAULTS: Record<string, PosCategory | null> = {
  '0': 'дороги',
  '1': 'сельское хозяйство', // безнадзорные животные: the regional veterinary service
  '2': null, // госуслуги / портал: no ПОС category
  '3': 'ЖКХ',
  '4': 'здравоохранение',
  '5': 'культура',
  '6': 'соцзащита',
  '7': 'образование',
  '8': 'транспорт',
  '9': 'связь',
  '10': 'соцзащита',
  '11': 'строительство',
  '12': null, // «Тестовая категория»
  '13': 'предпринимательство',
  '14': 'соцзащита', // труд и занятость
  '15': 'спорт',
  '16': 'экология',
};

function applyRules(rules: Rule[], fine: string): PosCategory | null | undefined {
  const text = fine.toLowerCase();
  for (const [re, label] of rules) if (re.test(text)) return label;
  return undefined;
}

export function mapSpb(category: string, reason: string): PosCategory | null {
  const byReason = applyRules(SPB_REASON_RULES, reason);
  if (byReason !== undefined) return byReason;
  return SPB_CATEGORY_DEFAULTS[category.trim()] ?? null;
}

export function mapKursk(topic: string, code: string): PosCategory | null {
  const byTopic = applyRules(KURSK_TOPIC_RULES, topic);
  if (byTopic !== undefined) return byTopic;
  return KURSK_CODE_DEFAULTS[code.trim()] ?? null;
}
