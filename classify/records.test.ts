import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { readAllRecords, sniffDelimiterFromText, type BadRow } from './records.js';

function file(name: string, content: string | Buffer): string {
  const path = join(tempDir('rec'), name);
  writeFileSync(path, content);
  return path;
}

describe('readRecords (CSV)', () => {
  it('handles a BOM, quoted commas, doubled quotes and multi-line fields, with start line numbers', async () => {
    const csv =
      '\ufeffid,text,label\n1,"Яма на дороге, большая",дороги\n2,"Председатель ТСЖ ""Ленинградские Вечера""\nне отвечает",ЖКХ\n3,Мусор,благоустройство\n';
    const recs = await readAllRecords(file('a.csv', csv));
    expect(recs.map((r) => r.fields)).toEqual([
      { id: '1', text: 'Яма на дороге, большая', label: 'дороги' },
      { id: '2', text: 'Председатель ТСЖ "Ленинградские Вечера"\nне отвечает', label: 'ЖКХ' },
      { id: '3', text: 'Мусор', label: 'благоустройство' },
    ]);
    expect(recs.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('reports rows with the wrong number of fields by line and goes on', async () => {
    const bad: BadRow[] = [];
    const csv = 'text,label\nодин,ЖКХ\nдва,дороги,лишнее\nтри,транспорт\n';
    const recs = await readAllRecords(file('b.csv', csv), { onBadRow: (b) => bad.push(b) });
    expect(recs.map((r) => r.fields.text)).toEqual(['один', 'три']);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.line).toBe(3);
  });

  it('sniffs semicolon-separated Excel exports', async () => {
    expect(sniffDelimiterFromText('text;label\n"a,b";c')).toBe(';');
    expect(sniffDelimiterFromText('"a;b",c,d\n')).toBe(',');
    const recs = await readAllRecords(file('c.csv', 'Текст;Категория\nНет света, третий день;ЖКХ\n'));
    expect(recs[0]!.fields).toEqual({ 'Текст': 'Нет света, третий день', 'Категория': 'ЖКХ' });
  });
});

describe('readRecords (JSONL)', () => {
  it('reads objects line by line, stringifying values, and reports bad lines', async () => {
    const bad: BadRow[] = [];
    const jsonl = '\ufeff{"text":"Яма","n":3,"ctx":{"a":1}}\n\nnot json\n[1,2]\n{"text":"Снег","empty":null}\n';
    const recs = await readAllRecords(file('d.jsonl', jsonl), { onBadRow: (b) => bad.push(b) });
    expect(recs).toEqual([
      { line: 1, fields: { text: 'Яма', n: '3', ctx: '{"a":1}' } },
      { line: 5, fields: { text: 'Снег', empty: '' } },
    ]);
    expect(bad.map((b) => b.line)).toEqual([3, 4]);
    expect(bad[0]!.message).toMatch(/invalid JSON/);
  });
});
