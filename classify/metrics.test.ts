import { describe, expect, it } from 'vitest';
import { evaluate, formatReport } from './metrics.js';

describe('evaluate', () => {
  it('computes accuracy, per-class P/R/F1, macro-F1 and confusions on a toy set', () => {
    const gold = ['ЖКХ', 'ЖКХ', 'ЖКХ', 'дороги', 'дороги', 'транспорт'];
    const pred = ['ЖКХ', 'ЖКХ', 'дороги', 'дороги', 'ЖКХ', 'дороги'];
    const r = evaluate(gold, pred);
    expect(r.accuracy).toBeCloseTo(3 / 6);
    const byLabel = Object.fromEntries(r.perClass.map((c) => [c.label, c]));
    expect(byLabel['ЖКХ']).toMatchObject({ precision: 2 / 3, recall: 2 / 3, support: 3 });
    expect(byLabel['дороги']!.precision).toBeCloseTo(1 / 3);
    expect(byLabel['дороги']!.recall).toBeCloseTo(1 / 2);
    expect(byLabel['дороги']!.f1).toBeCloseTo(0.4);
    expect(byLabel['транспорт']).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.macroF1).toBeCloseTo((2 / 3 + 0.4 + 0) / 3);
    expect(r.confusions).toContainEqual({ gold: 'ЖКХ', predicted: 'дороги', count: 1 });
    // Ties are ordered by gold label (Russian collation), so the report is stable.
    expect(r.confusions.map((c) => c.gold)).toEqual(['дороги', 'ЖКХ', 'транспорт']);
    expect(r.confusions).toHaveLength(3);
    const text = formatReport(r);
    expect(text).toContain('accuracy: 0.5000');
    expect(text).toContain('транспорт → дороги: 1');
  });

  it('counts labels that are only predicted in macro-F1, like scikit-learn', () => {
    const r = evaluate(['a', 'a'], ['a', 'b']);
    expect(r.perClass.map((c) => c.label)).toEqual(['a', 'b']);
    expect(r.macroF1).toBeCloseTo((2 / 3 + 0) / 2);
  });
});
