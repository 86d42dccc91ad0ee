import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { sink } from '../test/sink.js';
import { registerClassifyCommands, runClassify, runEval, runTrain } from './cli.js';

const TRAIN = [
  ['Нет горячей воды третий день', 'ЖКХ', 'Центральный'],
  ['Батареи холодные, нет отопления', 'ЖКХ', 'Невский'],
  ['Протекает крыша в подъезде', 'ЖКХ', 'Центральный'],
  ['Сломан лифт, не работает неделю', 'ЖКХ', 'Невский'],
  ['Яма на дороге у остановки', 'дороги', 'Центральный'],
  ['Разбит асфальт на проезжей части', 'дороги', 'Невский'],
  ['Не работает светофор на перекрёстке', 'дороги', 'Центральный'],
  ['Дорога не очищена от снега, гололёд', 'дороги', 'Невский'],
];

function csv(rows: string[][], header: string[]): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(q).join(',')).join('\n') + '\n';
}

describe('classify CLI', () => {
  it('trains with corrections, classifies in input order and evaluates', async () => {
    const dir = tempDir('cli');
    const data = join(dir, 'train.csv');
    writeFileSync(data, csv(TRAIN, ['Текст', 'Категория', 'Район']));
    const corrections = join(dir, 'corr.jsonl');
    writeFileSync(corrections, '{"text":"Дорога не очищена от снега, гололёд","label":"ЖКХ"}\n{"text":"Яма во дворе дома","label":"дороги"}\n');
    const err = sink();
    const model = join(dir, 'model.json.gz');
    const trained = await runTrain({ data, text: 'Текст', label: 'Категория', out: model, context: 'Район', corrections }, err);
    expect(trained.rows).toBe(TRAIN.length + 1);
    expect(err.text()).toMatch(/corrections: 2 read, 1 labels overridden, 1 rows added/);
    expect(err.text()).toMatch(/features: 9\/9/);

    const input = join(dir, 'in.csv');
    writeFileSync(input, csv([['Опять нет горячей воды', 'Невский'], ['Глубокая яма на дороге', 'Центральный'], ['', '']], ['Текст', 'Район']));
    const output = join(dir, 'out.jsonl');
    const n = await runClassify({ model, input, text: 'Текст', output, context: 'Район' }, sink());
    expect(n).toBe(3);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.label).slice(0, 2)).toEqual(['ЖКХ', 'дороги']);
    expect(Object.keys(lines[0])).toEqual(['label', 'confidence', 'top']);
    expect(lines[0].top[0]).toEqual({ label: lines[0].label, score: lines[0].confidence });

    const out = sink();
    const report = await runEval({ model, data, text: 'Текст', label: 'Категория', context: 'Район' }, sink(), out);
    expect(report.n).toBe(TRAIN.length);
    expect(out.text()).toMatch(/accuracy: /);
    expect(out.text()).toMatch(/macro-F1: /);
  });

  it('fails clearly on a missing column', async () => {
    const dir = tempDir('cli');
    const data = join(dir, 'train.csv');
    writeFileSync(data, csv(TRAIN, ['text', 'label', 'district']));
    await expect(runTrain({ data, text: 'Текст', label: 'label', out: join(dir, 'm.json') }, sink())).rejects.toThrow(/no column "Текст"/);
  });

  it('registers train, classify and eval on a commander program', () => {
    const program = new Command();
    registerClassifyCommands(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['classify', 'eval', 'train']);
    const train = program.commands.find((c) => c.name() === 'train')!;
    expect(train.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--data', '--text', '--label', '--out', '--context', '--corrections']));
  });
});
