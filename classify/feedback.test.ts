import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { mergeCorrections, readCorrections } from './feedback.js';

describe('mergeCorrections', () => {
  const rows = [
    { text: 'Нет света в подъезде', label: 'благоустройство' },
    { text: 'нет  света в ПОДЪЕЗДЕ', label: 'благоустройство' },
    { text: 'Яма на дороге', label: 'дороги' },
  ];

  it('overrides the label of the same text (case and spaces ignored) and appends new texts', () => {
    const out = mergeCorrections(rows, [
      { text: 'Нет света в подъезде', label: 'ЖКХ' },
      { text: 'Яма на дороге', label: 'дороги' },
      { text: 'Автобус не пришёл', label: 'транспорт' },
    ]);
    expect(out.rows.map((r) => r.label)).toEqual(['ЖКХ', 'ЖКХ', 'дороги', 'транспорт']);
    expect(out.overridden).toBe(2);
    expect(out.added).toBe(1);
    expect(rows[0]!.label).toBe('благоустройство');
  });

  it('lets the latest correction of a text win', () => {
    const out = mergeCorrections(rows, [
      { text: 'Яма на дороге', label: 'благоустройство', at: '2024-05-02T10:00:00Z' },
      { text: 'Яма на дороге', label: 'транспорт', at: '2024-05-01T10:00:00Z' },
    ]);
    expect(out.rows[2]!.label).toBe('благоустройство');
  });
});

describe('readCorrections', () => {
  it('reads the documented JSONL and reports bad lines', async () => {
    const dir = tempDir('fb');
    const path = join(dir, 'c.jsonl');
    writeFileSync(path,
      ['{"text":"Нет воды","label":"ЖКХ","by":"op-1","at":"2024-05-02T10:00:00Z"}', '{"text":"","label":"ЖКХ"}', '{oops',
        '{"text":"Мусор","label":" благоустройство ","context":{"district":"Невский"}}'].join('\n'));
    const lines: number[] = [];
    const c = await readCorrections(path, (b) => lines.push(b.line));
    expect(c).toEqual([
      { text: 'Нет воды', label: 'ЖКХ', at: '2024-05-02T10:00:00Z', by: 'op-1' },
      { text: 'Мусор', label: 'благоустройство', context: { district: 'Невский' } },
    ]);
    expect(lines).toEqual([2, 3]);
  });
});
