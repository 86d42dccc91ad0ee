/**
 * What the demo region holds: organizations of Красноярский край (their routing codes are the ones config/routing.yaml
 * names), their staff, and the citizens' messages it generates — texts written the way people write to ПОС, 122 and
 * the region's pages. All of it is made up (ОГРН/ИНН included) and drawn from a seeded generator, so a run is
 * repeatable.
 */

/** A small seeded generator (mulberry32): the same seed gives the same demo. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
    digits: (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 1 + Math.floor(next() * 9) : Math.floor(next() * 10))).join(''),
  };
}
export type Random = ReturnType<typeof seeded>;

export interface DemoOrg {
  code: string;
  name: string;
  kind: string;
  parent?: string;
  municipality?: string;
}

export const ORGANIZATIONS: DemoOrg[] = [
  { code: 'region-coordination', name: 'Центр управления регионом Красноярского края', kind: 'region' },
  { code: 'minzdrav', name: 'Министерство здравоохранения Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'minobr', name: 'Министерство образования Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'minsoc', name: 'Министерство социальной политики Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'mintrans', name: 'Министерство транспорта Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'minles', name: 'Министерство лесного хозяйства Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'minprirody', name: 'Министерство экологии и рационального природопользования Красноярского края', kind: 'roiv', parent: 'region-coordination' },
  { code: 'krasnoyarsk-city', name: 'Администрация города Красноярска', kind: 'omsu', municipality: 'город Красноярск' },
  { code: 'krasnoyarsk-roads', name: 'Управление дорог, инфраструктуры и благоустройства администрации г. Красноярска', kind: 'omsu',
    parent: 'krasnoyarsk-city' },
  { code: 'krasnoyarsk-housing', name: 'Департамент городского хозяйства администрации г. Красноярска', kind: 'omsu', parent: 'krasnoyarsk-city' },
  { code: 'norilsk-city', name: 'Администрация города Норильска', kind: 'omsu', municipality: 'город Норильск' },
  { code: 'achinsk-city', name: 'Администрация города Ачинска', kind: 'omsu', municipality: 'город Ачинск' },
];

/** Every organization gets a coordinator, two executors and a leader; some get a curator or an administrator too. */
export const ORG_STAFF: { role: string; suffix: string; names: string[] }[] = [
  { role: 'coordinator', suffix: 'coordinator',
    names: ['Петрова Анна Сергеевна', 'Васильев Олег Игоревич', 'Кузнецова Мария Андреевна', 'Смирнов Павел Олегович'] },
  { role: 'executor', suffix: 'executor1',
    names: ['Сидорова Елена Викторовна', 'Николаев Артём Денисович', 'Орлова Ксения Павловна', 'Фёдоров Илья Романович'] },
  { role: 'executor', suffix: 'executor2', names: ['Морозов Денис Алексеевич', 'Белова Ольга Юрьевна', 'Григорьев Максим Ильич', 'Зайцева Дарья Олеговна'] },
  { role: 'leader', suffix: 'leader',
    names: ['Ковалёв Андрей Николаевич', 'Лебедева Татьяна Ивановна', 'Попов Сергей Викторович', 'Егорова Наталья Петровна'] },
];

export const MUNICIPALITIES = ['город Красноярск', 'город Красноярск', 'город Красноярск', 'город Норильск', 'город Ачинск', 'Емельяновский район',
  'город Канск', 'Берёзовский район'];
const STREETS = ['ул. Ленина', 'ул. Мира', 'пр. Свободный', 'ул. 78 Добровольческой Бригады', 'ул. Партизана Железняка', 'ул. Взлётная', 'ул. Маерчака',
  'пр. Металлургов', 'ул. Карла Маркса', 'ул. Молокова', 'ул. Судостроительная', 'ул. Кирова'];

/** One kind of problem: how people put it (with {addr}) and how the organization answers it. */
export interface Topic {
  texts: string[];
  answer: string;
  photo?: boolean; /** A federal service's matter: its term is days, not the region's 30. */
  federal?: boolean;
}

export const TOPICS: Topic[] = [
  {
    texts: ['Третий день нет горячей воды в доме {addr}, управляющая компания трубку не берёт.',
      'В доме {addr} нет горячей воды с понедельника, дети не могут помыться.', 'Опять отключили горячую воду на {addr} без предупреждения, когда дадут?'],
    answer:
      'Подача горячей воды в дом {addr} восстановлена после ремонта участка сети. Управляющей компании указано на обязанность заранее предупреждать жителей.',
  },
  {
    texts: ['Во дворе дома {addr} огромная яма на проезде, машины не могут проехать.',
      'Яма на дороге возле {addr}, уже двое пробили колесо, сделайте что-нибудь.', 'Разбитый асфальт у остановки на {addr}, после дождя не пройти.'],
    answer: 'Яма на проезде у дома {addr} заделана литым асфальтом, проезд открыт. Фото выполненных работ прилагаем.',
    photo: true,
  },
  {
    texts: ['Не вывозят мусор во дворе {addr} уже неделю, контейнеры переполнены, крысы.',
      'Контейнерная площадка у {addr} завалена мусором, вывоз не приезжает.'],
    answer:
      'Региональный оператор вывез отходы с площадки у дома {addr}, график вывоза восстановлен: ежедневно до 10:00. Фото площадки после уборки прилагаем.',
    photo: true,
  },
  { texts: ['Не горит ни один фонарь вдоль {addr}, вечером очень опасно идти.', 'На {addr} вторую неделю не работает уличное освещение.'],
    answer: 'Подрядчик заменил светильники и кабель на участке {addr}, освещение работает. Фото прилагаем.', photo: true },
  { texts: ['Не убран снег во дворе {addr}, пожилые люди не могут выйти из подъезда.', 'Тротуар на {addr} не чистят, сплошной лёд, люди падают.'],
    answer: 'Двор и тротуар у дома {addr} очищены от снега и обработаны противогололёдной смесью. Уборка включена в ежедневный график.', photo: true },
  { texts: ['В поликлинике на {addr} невозможно записаться к терапевту, запись на месяц вперёд.', 'Скорая ехала к нам на {addr} больше часа, это нормально?'],
    answer:
      'Поликлиника открыла дополнительные часы приёма терапевтов по субботам, запись через Госуслуги и по телефону 122. Случай с задержкой бригады разобран с руководством станции скорой помощи.' },
  { texts: ['В школе №{n} не работает отопление в спортзале, дети занимаются в куртках.', 'Почему в школе №{n} отменили продлёнку без объяснений?'],
    answer: 'В школе №{n} отремонтирован узел отопления спортзала, температура в норме. Родителям направлено разъяснение по работе групп продлённого дня.' },
  {
    texts: ['Автобус №{n} не ходит по расписанию, ждём по 40 минут на морозе на {addr}.',
      'Уберите маршрут №{n}, он же постоянно переполнен, добавьте автобусов!'],
    answer:
      'Перевозчику маршрута №{n} выдано предписание: с понедельника добавлены два автобуса в часы пик, интервал — не более 12 минут. Контроль — через систему ГЛОНАСС.',
  },
  {
    texts: ['Как оформить ежемесячную выплату на ребёнка? Документы подала, ответа нет.',
      'Мне не пришла компенсация за оплату ЖКУ как ветерану труда, куда обращаться?'],
    answer:
      'Выплата назначена и будет перечислена до 25 числа текущего месяца. Уточнить статус можно в территориальном отделении КГКУ «УСЗН» или по телефону 122.',
  },
  { texts: ['Свалка мусора в лесу у {addr}, кто-то вывозит строительные отходы.', 'Дым от горящей свалки возле {addr}, невозможно дышать.'],
    answer: 'Место несанкционированной свалки у {addr} ликвидировано, нарушитель установлен и привлечён к ответственности. Фото прилагаем.', photo: true },
  { texts: ['Во дворе {addr} сломаны качели на детской площадке, торчат болты.', 'Просим установить лавочки во дворе {addr}, пожилым негде присесть.'],
    answer: 'Неисправное оборудование детской площадки у дома {addr} демонтировано и заменено, установлены две скамейки. Фото прилагаем.', photo: true },
  // Federal services answer within days, not the region's 30: what shows overdue work even in a short demo.
  { federal: true,
    texts: ['Госуслуги не работают второй день, не могу подать заявление на выплату, в МФЦ на {addr} отправляют обратно на портал.',
      'Ошибка на госуслугах при записи ребёнка в школу №{n}, техподдержка не отвечает.',
      'Паспортный стол на {addr} не принимает документы на прописку, очередь занимают с шести утра.'],
    answer:
      'Сведения о сбое переданы оператору портала Госуслуг, работа сервиса восстановлена — заявление можно подать повторно. Приём документов на регистрационный учёт по адресу {addr} продлён до 20:00.' },
];

/** Posts that are not complaints: the monitoring team sorts them out. */
export const CHATTER = ['Спасибо коммунальщикам, двор на {addr} вычистили отлично!', 'Кто знает, во сколько открывается ЦУР в субботу?',
  'Красивый сегодня закат над Енисеем', 'Поздравляем всех с праздником!'];

export function addressIn(r: Random, municipality: string): string {
  return `${r.pick(STREETS)}, ${r.int(1, 120)}${municipality === 'город Красноярск' ? '' : ` (${municipality})`}`;
}

export function fill(template: string, vars: { addr: string; n: number }): string {
  return template.replaceAll('{addr}', vars.addr).replaceAll('{n}', String(vars.n));
}

/** An answer ПОС would accept: greeting, what was done, contacts, a signature. */
export function answerText(topic: Topic, vars: { addr: string; n: number }, orgName: string): string {
  return `Здравствуйте! ${fill(topic.answer, vars)} Телефон для справок: 8 (391) 226-10-10. С уважением, ${orgName}.`;
}

export const POLLS = [
  {
    title: 'Какой сквер благоустроить в 2027 году?',
    description: 'Программа «Формирование комфортной городской среды»: жители выбирают общественное пространство, которое благоустроят в следующем году.',
    question: 'Какое общественное пространство благоустроить первым?',
    options: ['Сквер у ДК «Металлург»', 'Набережная Енисея у ул. Дубровинского', 'Сквер Серебряный на Взлётке', 'Парк «Гвардейский»'],
    municipalities: ['город Красноярск'],
  },
  {
    title: 'Удобно ли вам расписание общественного транспорта?',
    description: 'Министерство транспорта края пересматривает расписание пригородных маршрутов и просит оценить нынешнее.',
    question: 'Как вы оцениваете нынешнее расписание?',
    options: ['Удобное', 'Скорее удобное', 'Скорее неудобное', 'Совсем неудобное'],
    municipalities: [],
  },
];
