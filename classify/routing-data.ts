/**
 * Routing labels of the public datasets. SPb: the executor named on the portal's sidebar, or, when the portal left it
 * empty, the author of the latest official answer (that body did answer, so it was responsible in practice).
 */
export function spbRoutingLabel(row: Record<string, string>): string {
  return (row.responsible_org ?? '').trim() || (row.answer_author ?? '').trim();
}

/** Kursk: «Ответственное лицо» is the responsible body. */
export function kurskRoutingLabel(row: Record<string, string>): string {
  return (row['Ответственное лицо'] ?? '').trim();
}

/**
 * The kind of body behind an organization name: words naming one of `places` are masked, so "СПб ГКУ ЖА Невского
 * района" and "СПб ГКУ ЖА Кировского района" share the type "СПб ГКУ ЖА {place} района". Russian place adjectives
 * change their ending ("Невский" → "Невского"), so a word matches a place by the place's stem (its name without the
 * two-letter ending, at least four letters).
 */
export function organizationType(label: string, places: readonly string[]): string {
  let out = label;
  for (const place of places) {
    const pattern = placePattern(place);
    if (pattern) out = out.replace(pattern, '{place}');
  }
  return out;
}

/**
 * A place's words in an organization name: its stem at the start of a word, then the rest of that word. Undefined
 * for names shorter than six characters, too short to tell apart. Starting only at a word start keeps the scan
 * linear: the letters after one match cannot be rescanned from inside the same word.
 */
export function placePattern(place: string): RegExp | undefined {
  const name = place.trim();
  if (name.length < 6) return undefined;
  const stem = name.slice(0, -2).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}])${stem}\\p{L}*`, 'giu');
}
