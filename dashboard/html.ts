/** Escapes text for HTML element content and attribute values: citizens' text is never trusted markup. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON for a `<script type="application/json">` block; `<` is escaped so no text can close the tag. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function layout(opts: { title: string; body: string; scripts?: string[] }): string {
  const scripts = (opts.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('\n');
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)} — Отклик</title>
<link rel="stylesheet" href="/assets/otklik.css">
${scripts}
</head>
<body>
<header class="top"><a class="brand" href="/">Отклик</a><span class="tagline">Платформа обратной связи региона</span></header>
<main id="main">
${opts.body}
</main>
</body>
</html>`;
}
