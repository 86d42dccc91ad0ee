import { COMPLAINT_CUE_SET, complaintCues } from './complaint-cues.js';

/**
 * Named sets of cues a model derives from the text itself and scores as context tokens (FeatureConfig.cues). The
 * name is stored in the model file, so a model always derives the cues it was trained with; a set's behaviour is
 * frozen once a shipped model uses it (a changed set gets a new name).
 */
export const CUE_SETS: Readonly<Record<string, (text: string) => Record<string, string>>> = {
  [COMPLAINT_CUE_SET]: complaintCues,
};

export type CueDeriver = (text: string, context?: Record<string, string>) => Record<string, string> | undefined;

/** The function that adds a set's cues to a caller's context (the caller's keys win), or undefined for no set. */
export function cueDeriver(name: string | undefined): CueDeriver | undefined {
  if (name === undefined) return undefined;
  const derive = CUE_SETS[name];
  if (!derive) throw new Error(`unknown cue set ${JSON.stringify(name)} (known: ${Object.keys(CUE_SETS).join(', ')})`);
  return (text, context) => ({ ...derive(text), ...context });
}
