/** What the classify stage needs from any model: the trained one, or the keyword baseline. */
export interface Prediction {
  label: string;
  confidence: number;
  top: { label: string; score: number }[];
}

export interface TextModel {
  readonly version: string;
  readonly labels: readonly string[];
  predict(text: string, context?: Record<string, string>): Prediction;
}
