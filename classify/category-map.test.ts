import { describe, expect, it } from 'vitest';
import { KURSK_CODE_DEFAULTS, mapKursk, mapSpb, POS_LABELS, SPB_CATEGORY_DEFAULTS } from './category-map.js';

describe('ПОС category mapping', () => {
  it('maps only to the 15 ПОС labels', () => {
    expect(POS_LABELS).toHaveLength(15);
    for (const v of [...Object.values(SPB_CATEGORY_DEFAULTS), ...Object.values(KURSK_CODE_DEFAULTS)]) if (v !== null) expect(POS_LABELS).toContain(v);
  });

  it('maps SPb reasons with road, transport and graffiti exceptions', () => {
    expect(mapSpb('Благоустройство', 'Мусор на внутридворовой территории')).toBe('благоустройство');
    expect(mapSpb('Благоустройство', 'Повреждения дорожного покрытия  проезжей части')).toBe('дороги');
    expect(
      mapSpb('Благоустройство', 'Несанкционированные надписи / объявления на технических средствах организации дорожного движения (светофоры, дорожные знаки)'),
    ).toBe('благоустройство');
    expect(mapSpb('Благоустройство', 'Повреждения информационных знаков остановочных пунктов наземного городского пассажирского транспорта')).toBe('транспорт');
    expect(mapSpb('Содержание МКД', 'Неудовлетворительное санитарное и техническое состояние контейнерной площадки')).toBe('ЖКХ');
    expect(
      mapSpb('Незаконная реализация товаров с торгового оборудования (прилавок, ящик, с земли)',
        'Реализация товаров в местах, не предназначенных для торговли'),
    ).toBe('предпринимательство');
    expect(mapSpb('Неизвестная рубрика', 'что-то')).toBeNull();
  });

  it('finds «мусорн… контейнер» in a reason, and not when another word stands between', () => {
    expect(mapSpb('Благоустройство', 'Переполнены мусорные контейнеры')).toBe('ЖКХ');
    expect(mapSpb('Благоустройство', 'Мусорный контейнер сломан')).toBe('ЖКХ');
    expect(mapSpb('Благоустройство', 'Мусор у контейнера')).toBe('благоустройство');
    expect(mapSpb('Благоустройство', 'Мусорная куча у контейнера')).toBe('благоустройство');
  });

  it('maps Kursk topics and codes', () => {
    expect(mapKursk('Нарушение дорожного покрытия (ямы)  на дорогах в границах городских округов и сельских поселений', '0')).toBe('дороги');
    expect(mapKursk('Аварийные деревья', '3')).toBe('благоустройство');
    expect(mapKursk('Нарушение теплоснабжения многоквартирного дома', '3')).toBe('ЖКХ');
    expect(mapKursk('Безнадзорные животные', '1')).toBe('сельское хозяйство');
    expect(mapKursk('Несанкционированная вырубка зелёных насаждений в лесопарковых зонах', '16')).toBe('лесное хозяйство');
    expect(mapKursk('Меры поддержки в условиях неблагоприятной эпидемиологической ситуации в сфере образования', '6')).toBe('образование');
    expect(mapKursk('Тестовая категория', '12')).toBeNull();
  });
});
