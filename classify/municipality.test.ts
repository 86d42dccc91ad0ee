import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMunicipalityDetector, gazetteerSchema } from './municipality.js';

const gazetteer = gazetteerSchema.parse(JSON.parse(readFileSync(new URL('../config/gazetteer/krasnoyarsk-krai.json', import.meta.url), 'utf8')));
const detector = createMunicipalityDetector(gazetteer);

describe('Krasnoyarsk krai gazetteer', () => {
  it('lists the city okrugs and districts of the krai', () => {
    const names = gazetteer.municipalities.map((m) => m.name);
    for (const city of ['Красноярск', 'Норильск', 'Ачинск', 'Канск', 'Минусинск', 'Лесосибирск', 'Железногорск', 'Зеленогорск', 'Дивногорск', 'Боготол',
      'Бородино', 'Енисейск', 'Сосновоборск', 'Шарыпово', 'Назарово'])
    {
      expect(names.some((n) => n.endsWith(city))).toBe(true);
    }
    expect(names).toContain('Емельяновский район');
    expect(gazetteer.municipalities.length).toBeGreaterThanOrEqual(60);
    expect(new Set(gazetteer.municipalities.map((m) => m.id)).size).toBe(gazetteer.municipalities.length);
  });
});

describe('detect', () => {
  it('finds inflected city names: «в Норильске», «из Ачинска», «в Талнахе»', () => {
    expect(detector.detect('В Норильске третий день нет горячей воды')).toMatchObject({ municipality: 'город Норильск', settlement: 'Норильск' });
    expect(detector.detect('Автобус из Ачинска опять отменили')).toMatchObject({ municipalityId: 'achinsk' });
    expect(detector.detect('В Талнахе прорвало трубу')).toMatchObject({ municipalityId: 'norilsk', settlement: 'Талнах' });
    expect(detector.detect('Дороги Лесосибирска разбиты')).toMatchObject({ municipalityId: 'lesosibirsk' });
  });

  it('finds districts by adjective + «район»/«округ» in any case: «Емельяновского района»', () => {
    expect(detector.detect('Жители Емельяновского района жалуются на дороги')).toMatchObject({ municipality: 'Емельяновский район',
      municipalityId: 'emelyanovsky' });
    expect(detector.detect('В Северо-Енисейском районе нет связи')).toMatchObject({ municipalityId: 'severo-yeniseysky' });
    expect(detector.detect('Шарыповский муниципальный округ, с. Ивановка')).toMatchObject({ municipalityId: 'sharypovsky' });
    expect(detector.detect('Берёзовский р-н, пгт Берёзовка')).toMatchObject({ municipalityId: 'berezovsky', settlement: 'Берёзовка' });
  });

  it('maps a settlement to its district', () => {
    expect(detector.detect('В Шушенском отключили свет')).toMatchObject({ municipalityId: 'shushensky' });
    expect(detector.detect('Дудинка, не вывозят мусор')).toMatchObject({ municipalityId: 'taymyrsky', settlement: 'Дудинка' });
  });

  it('does not take the region, street names or common words for places', () => {
    expect(detector.detect('Министерство Красноярского края не отвечает')).toBeNull();
    expect(detector.detect('Яма на улице Норильская')).toBeNull();
    expect(detector.detect('Енисейский тракт весь в ямах')).toBeNull();
    expect(detector.detect('Солнечный день, а снег не убран')).toBeNull();
    expect(detector.detect('пос. Солнечный, не убран снег')).toMatchObject({ municipalityId: 'solnechny' });
  });

  it('prefers the address over towns mentioned in passing and lowers confidence when towns compete', () => {
    const withAddress = detector.detect('Не ходит автобус в Ачинск', 'Красноярский край, г. Канск, ул. Ленина, 1');
    expect(withAddress).toMatchObject({ municipalityId: 'kansk' });
    const both = detector.detect('Из Ачинска в Канск не ходит автобус')!;
    const one = detector.detect('В Канске не ходит автобус')!;
    expect(both.confidence).toBeLessThan(one.confidence);
    expect(detector.detect('г. Красноярск, ул. Норильская, 5')).toMatchObject({ municipalityId: 'krasnoyarsk' });
  });

  it('returns null when no place is named', () => {
    expect(detector.detect('Третий день нет горячей воды')).toBeNull();
  });
});
