export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalReport {
  n: number;
  accuracy: number;
  /** Unweighted mean F1 over every label that occurs in the gold or the predicted labels (scikit-learn's default). */
  macroF1: number;
  weightedF1: number;
  perClass: ClassMetrics[];
  /** Most frequent (gold → predicted) mistakes. */
  confusions: { gold: string; predicted: string; count: number }[];
}

/** Accumulates gold/predicted pairs so `eval` can stream a large file without keeping it. */
export class EvalAccumulator {
  private n = 0;
  private correct = 0;
  private readonly tp = new Map<string, number>();
  private readonly goldCount = new Map<string, number>();
  private readonly predCount = new Map<string, number>();
  private readonly confusion = new Map<string, number>();

  add(gold: string, predicted: string): void {
    this.n++;
    inc(this.goldCount, gold);
    inc(this.predCount, predicted);
    if (gold === predicted) {
      this.correct++;
      inc(this.tp, gold);
    } else {
      inc(this.confusion, `${gold}\u0000${predicted}`);
    }
  }

  report(topConfusions = 10): EvalReport {
    const labels = [...new Set([...this.goldCount.keys(), ...this.predCount.keys()])].sort((a, b) => a.localeCompare(b, 'ru'));
    const perClass = labels.map((label) => {
      const tp = this.tp.get(label) ?? 0;
      const pred = this.predCount.get(label) ?? 0;
      const support = this.goldCount.get(label) ?? 0;
      const precision = pred > 0 ? tp / pred : 0;
      const recall = support > 0 ? tp / support : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      return { label, precision, recall, f1, support };
    });
    const macroF1 = perClass.length > 0 ? perClass.reduce((s, c) => s + c.f1, 0) / perClass.length : 0;
    const weightedF1 = this.n > 0 ? perClass.reduce((s, c) => s + c.f1 * c.support, 0) / this.n : 0;
    const confusions = [...this.confusion.entries()]
      .map(([key, count]) => {
        const [gold, predicted] = key.split('\u0000') as [string, string];
        return { gold, predicted, count };
      })
      .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold, 'ru'))
      .slice(0, topConfusions);
    return { n: this.n, accuracy: this.n > 0 ? this.correct / this.n : 0, macroF1, weightedF1, perClass, confusions };
  }
}

function inc(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

export function evaluate(gold: readonly string[], predicted: readonly string[], topConfusions = 10): EvalReport {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const acc = new EvalAccumulator();
  for (let i = 0; i < gold.length; i++) acc.add(gold[i]!, predicted[i]!);
  return acc.report(topConfusions);
}

/** Plain-text report for the CLI: headline figures, a per-class table and the top confusions. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  lines.push(`rows: ${r.n}`);
  lines.push(`accuracy: ${r.accuracy.toFixed(4)}`);
  lines.push(`macro-F1: ${r.macroF1.toFixed(4)}`);
  lines.push(`weighted-F1: ${r.weightedF1.toFixed(4)}`);
  lines.push('');
  const width = Math.min(60, Math.max(5, ...r.perClass.map((c) => c.label.length)));
  lines.push(`${'label'.padEnd(width)}  precision  recall     f1  support`);
  for (const c of [...r.perClass].sort((a, b) => b.support - a.support || a.label.localeCompare(b.label, 'ru'))) {
    const name = c.label.length > width ? `${c.label.slice(0, width - 1)}…` : c.label.padEnd(width);
    lines.push(
      `${name}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(5)}  ${String(c.support).padStart(7)}`,
    );
  }
  if (r.confusions.length > 0) {
    lines.push('');
    lines.push('top confusions (gold → predicted: count)');
    for (const c of r.confusions) lines.push(`  ${c.gold} → ${c.predicted}: ${c.count}`);
  }
  return lines.join('\n');
}
