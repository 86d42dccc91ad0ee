import { describe, expect, it } from 'vitest';
import { IncidentIndex, jaccard, shingles } from './incidents.js';

const T0 = Date.parse('2024-03-01T08:00:00Z');
const hours = (h: number) => T0 + h * 3_600_000;

describe('shingles', () => {
  it('ignores case, punctuation, stop words and personal data', () => {
    const a = shingles('Прорвало трубу на улице Ленина, вода заливает двор!');
    const b = shingles('прорвало трубу на улице Ленина вода заливает двор. +7 913 123-45-67');
    expect(jaccard(a, b)).toBe(1);
  });
});

describe('IncidentIndex', () => {
  it('joins near-duplicates and reposts of the same problem', () => {
    const idx = new IncidentIndex();
    const first = idx.add({ id: 'a1', text: 'На улице Ленина у дома 5 прорвало трубу, вода заливает двор и подвал', municipality: 'Норильск', at: hours(0) });
    expect(first).toEqual({ incidentId: 'a1', isNew: true, similarity: 0 });
    const repost = idx.add({ id: 'a2', text: 'Репост: на улице Ленина у дома 5 прорвало трубу, вода заливает двор и подвал!!!', municipality: 'Норильск',
      at: hours(2) });
    expect(repost.incidentId).toBe('a1');
    expect(repost.isNew).toBe(false);
    expect(repost.similarity).toBeGreaterThan(0.6);
    const paraphrase = idx.add({ id: 'a3', text: 'у дома 5 на улице Ленина прорвало трубу, заливает двор', municipality: 'норильск', at: hours(5) });
    expect(paraphrase.incidentId).toBe('a1');
  });

  it('keeps different problems, other municipalities and old reports apart', () => {
    const idx = new IncidentIndex({ windowHours: 72 });
    idx.add({ id: 'b1', text: 'На улице Ленина у дома 5 прорвало трубу, вода заливает двор', municipality: 'Норильск', at: hours(0) });
    const other = idx.add({ id: 'b2', text: 'Во дворе дома 12 по Мира не вывозят мусор уже неделю, контейнеры переполнены', municipality: 'Норильск',
      at: hours(1) });
    expect(other).toMatchObject({ incidentId: 'b2', isNew: true });
    const elsewhere = idx.add({ id: 'b3', text: 'На улице Ленина у дома 5 прорвало трубу, вода заливает двор', municipality: 'Канск', at: hours(1) });
    expect(elsewhere).toMatchObject({ incidentId: 'b3', isNew: true });
    const late = idx.add({ id: 'b4', text: 'На улице Ленина у дома 5 прорвало трубу, вода заливает двор', municipality: 'Норильск', at: hours(80) });
    expect(late).toMatchObject({ incidentId: 'b4', isNew: true });
  });

  it('evicts entries older than the window', () => {
    const idx = new IncidentIndex({ windowHours: 24 });
    idx.add({ id: 'c1', text: 'Не горит фонарь у подъезда дома 3', municipality: 'Ачинск', at: hours(0) });
    idx.add({ id: 'c2', text: 'Яма на дороге у школы номер 7', municipality: 'Ачинск', at: hours(10) });
    expect(idx.size).toBe(2);
    idx.add({ id: 'c3', text: 'Сломаны качели на детской площадке', municipality: 'Ачинск', at: hours(30) });
    expect(idx.size).toBe(2);
  });

  it('joins one-word reports only when identical', () => {
    const idx = new IncidentIndex();
    idx.add({ id: 'd1', text: 'Мусор', municipality: 'Канск', at: hours(0) });
    expect(idx.add({ id: 'd2', text: 'мусор!', municipality: 'Канск', at: hours(1) })).toMatchObject({ incidentId: 'd1', isNew: false });
    expect(idx.add({ id: 'd3', text: 'мусор во дворе', municipality: 'Канск', at: hours(1) })).toMatchObject({ isNew: true });
  });

  it('keeps a storm of reposts in one incident while its memory stays bounded', () => {
    const idx = new IncidentIndex({ maxEntries: 1000, maxBucket: 16 });
    const text = 'На улице Ленина у дома 5 прорвало трубу, вода заливает двор и подвал';
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      ids.add(idx.add({ id: `s${i}`, text: `${text} (${i % 3 ? 'репост' : 'срочно'})`, municipality: 'Норильск', at: hours(i / 1000) }).incidentId);
    }
    // Every repost joined the first report; the index holds the newest 1,000 appeals, not 5,000.
    expect([...ids]).toEqual(['s0']);
    expect(idx.size).toBe(1000);
    // Other problems keep being told apart after the cap dropped old appeals.
    expect(idx.add({ id: 'x', text: 'Сломаны качели на детской площадке у школы', municipality: 'Норильск', at: hours(5) })).toMatchObject({ isNew: true });
  });
});
