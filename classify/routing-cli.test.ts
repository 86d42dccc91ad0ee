import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { sink } from '../test/sink.js';
import { runClassify, runEval, runTrain } from './cli.js';

const csv = (rows: string[][]) => rows.map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n') + '\n';

describe('otklik train --topic (routing priors)', () => {
  it('trains with a training-only topic column and the type prior; classify and eval need only text + district', async () => {
    const dir = tempDir('routing-cli');
    const rows: string[][] = [['text', 'org', 'district', 'reason']];
    for (const district of ['Невский', 'Кировский']) {
      for (const [reason, texts] of [['дороги', ['яма на дороге', 'разбит асфальт', 'выбоина на проезжей части']], ['тепло', ['нет отопления',
        'холодные батареи', 'нет горячей воды']]] as const)
      {
        const org = reason === 'дороги' ? `Администрация ${district.slice(0, -2)}ого района` : `ЖА ${district.slice(0, -2)}ого района`;
        for (const t of texts) for (let i = 0; i < 2; i++) rows.push([`${t} ${i}`, org, district, reason]);
      }
    }
    const data = join(dir, 'train.csv');
    writeFileSync(data, csv(rows));
    const model = join(dir, 'routing.json.gz');
    const err = sink();
    await runTrain({ data, text: 'text', label: 'org', out: model, context: 'district', topic: 'reason', typePrior: true }, err);
    expect(err.text()).toMatch(/topic reason features/);
    expect(err.text()).toMatch(/topic @organization-type fit/);
    const json = JSON.parse(gunzipSync(readFileSync(model)).toString('utf8'));
    expect(json.formatVersion).toBe(2);
    expect(json.topicPriors.map((p: { weight: number }) => p.weight)).toEqual([1, 0.5]);

    const test = join(dir, 'test.csv');
    writeFileSync(test,
      csv([['text', 'org', 'district'], ['яма на дороге во дворе', 'Администрация Кировского района', 'Кировский'], ['нет отопления дома', 'ЖА Невского района',
        'Невский']]));
    const report = await runEval({ model, data: test, text: 'text', label: 'org', context: 'district' }, sink(), sink());
    expect(report.accuracy).toBe(1);
    const out = join(dir, 'out.jsonl');
    await runClassify({ model, input: test, text: 'text', output: out, context: 'district' }, sink());
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).label)).toEqual(['Администрация Кировского района', 'ЖА Невского района']);
  });

  it('refuses a missing topic column and --type-prior without a place', async () => {
    const dir = tempDir('routing-cli');
    const data = join(dir, 'train.csv');
    writeFileSync(data, csv([['text', 'org'], ['яма', 'А'], ['вода', 'Б']]));
    await expect(runTrain({ data, text: 'text', label: 'org', out: join(dir, 'm.json'), topic: 'reason' }, sink())).rejects.toThrow(/no column "reason"/);
    await expect(runTrain({ data, text: 'text', label: 'org', out: join(dir, 'm.json'), typePrior: true }, sink())).rejects.toThrow(/--type-prior needs/);
  });
});
