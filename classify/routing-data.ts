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
