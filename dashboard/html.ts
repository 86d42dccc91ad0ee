import { DEFAULT_TIME_ZONE } from './format.js';

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

export interface NavUser {
  displayName: string;
  roles: { role: string }[];
  /** What they read of the figures (lib/read-scope.ts); analytics links only for those who read them. */
  figures?: 'region' | 'organizations' | 'none';
}

/** Staff navigation: each link only for the roles that use it. */
function nav(user: NavUser): string {
  const roles = new Set(user.roles.map((r) => r.role));
  const links: [string, string, boolean][] = [
    ['/inbox', 'Мониторинг', roles.has('moderator') || roles.has('administrator')],
    // Everyone has notifications (a moderator is reminded of unrouted cases): the desk is where they are.
    ['/desk', 'Рабочий стол', true],
    ['/activity', 'Кто не смотрит', ['administrator', 'moderator', 'curator', 'leader'].some((r) => roles.has(r))],
    ['/cases', 'Обращения', true],
    ['/analytics', 'Аналитика', user.figures !== 'none'],
    ['/report/weekly', 'Отчёт за неделю', (user.figures ?? 'region') === 'region'],
    ['/admin', 'Администрирование', roles.has('administrator')],
  ];
  return `<nav class="nav" aria-label="Разделы">${links.filter(([, , on]) => on).map(([href, text]) => `<a href="${href}">${text}</a>`).join('')}
<span class="who">${escapeHtml(user.displayName)}</span>
<form method="post" action="/logout" class="inline"><button type="submit" class="link">Выйти</button></form></nav>`;
}

/** The region's time zone, named on every page for the scripts' dates (main.ts hands in the region config's, as it is now). */
let timeZoneOf: () => string | undefined = () => undefined;
export function setPageTimeZone(current: () => string | undefined): void {
  timeZoneOf = current;
}
/** The live zone main.ts set (an administrator may change it), else the one the page was given, else Moscow. */
export const currentTimeZone = (given?: string) => timeZoneOf() || given || DEFAULT_TIME_ZONE;

/** What a browser gets for an address nothing serves. */
export function notFoundPage(): string {
  return layout({ title: 'Страница не найдена', body: `
<section class="card narrow">
<h1>Страница не найдена</h1>
<p>По этому адресу ничего нет. Возможно, ссылка устарела или в адресе опечатка.</p>
<ul>
  <li><a href="/">Обзор обращений</a></li>
  <li><a href="/polls">Голосования и опросы</a></li>
  <li><a href="/login">Вход для сотрудников</a></li>
</ul>
</section>` });
}

/**
 * A page. `timeZone`: the region's IANA zone, handed to the page scripts (data-tz on <html>) so they print dates in
 * the region's time whatever the browser's zone is.
 */
export function layout(opts: { title: string; body: string; scripts?: string[]; user?: NavUser; bodyClass?: string; timeZone?: string }): string {
  const scripts = (opts.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('\n');
  return `<!doctype html>
<html lang="ru" data-tz="${escapeHtml(currentTimeZone(opts.timeZone))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)} — Отклик</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/assets/otklik.css">
${scripts}
</head>
<body${opts.bodyClass ? ` class="${escapeHtml(opts.bodyClass)}"` : ''}>
<a class="skip" href="#main">К содержанию</a>
<header class="top"><a class="brand" href="/">Отклик</a><span class="tagline">Платформа обратной связи региона</span>${opts.user ? nav(opts.user) : ''}</header>
<main id="main">
${opts.body}
</main>
</body>
</html>`;
}
