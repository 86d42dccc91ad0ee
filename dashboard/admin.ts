/**
 * The administration pages (/admin/…): organizations, staff and roles, channels, region rules, polls and the audit
 * log. Region administrators see all of them; an organization's administrator manages their organization and its
 * staff. Each page is a shell; its script (client/admin-*.ts) reads and changes everything through the same JSON API
 * as any other client, so every change is checked and audited there.
 */
import express, { type Router } from 'express';
import { escapeHtml, layout } from './html.js';
import { requirePage, type PageUser, type SessionDeps } from './session.js';

interface AdminPage {
  path: string;
  title: string;
  script: string;
  regionOnly: boolean;
  body: string;
}

const isRegionAdmin = (u: PageUser) => u.roles.some((r) => r.role === 'administrator' && r.organizationId === null);
const isAnyAdmin = (u: PageUser) => u.roles.some((r) => r.role === 'administrator');

const PAGES: AdminPage[] = [
  { path: '/admin/organizations', title: 'Организации', script: 'admin-organizations', regionOnly: false, body: `
<p class="muted">Дерево организаций региона. Организация получает обращения, когда подтвердила обучение и готовность к работе и в ней есть активный координатор.</p>
<section class="card" id="org-create-card" aria-labelledby="h-org-create" hidden><h2 id="h-org-create">Новая организация</h2>
  <form id="org-create" class="form admin-form"></form></section>
<section class="card" aria-labelledby="h-org-tree"><h2 id="h-org-tree">Все организации</h2>
  <p id="org-status" role="status" aria-live="polite"></p>
  <div id="org-tree"><p class="loading">Загрузка…</p></div></section>` },
  { path: '/admin/staff', title: 'Сотрудники и роли', script: 'admin-staff', regionOnly: false, body: `
<section class="card" aria-labelledby="h-staff-create"><h2 id="h-staff-create">Новый сотрудник</h2>
  <form id="staff-create" class="form admin-form"></form></section>
<section class="card" aria-labelledby="h-staff-list"><h2 id="h-staff-list">Сотрудники</h2>
  <div class="filters"><span class="fld"><label for="staff-org-filter">Организация</label> <select id="staff-org-filter"><option value="">Все</option></select></span></div>
  <p id="staff-status" role="status" aria-live="polite"></p>
  <div id="staff-list"><p class="loading">Загрузка…</p></div></section>` },
  { path: '/admin/channels', title: 'Каналы', script: 'admin-channels', regionOnly: true, body: `
<p class="muted">Настройки, заданные здесь, важнее переменных окружения. Секреты только записываются: их значение никогда не показывается.
Отмеченные «после перезапуска» вступают в силу после перезапуска Отклика, остальные — в течение нескольких секунд.</p>
<p id="channels-status" role="status" aria-live="polite"></p>
<form id="channels-form"><div id="channels"><p class="loading">Загрузка…</p></div>
  <button type="submit" class="primary">Сохранить настройки каналов</button></form>` },
  { path: '/admin/region', title: 'Правила региона', script: 'admin-region', regionOnly: true, body: `
<p class="muted">Сроки ответа, быстрые задачи и федеральные службы. Изменения применяются к сообщениям, поступившим после сохранения; у
зарегистрированных обращений срок не меняется. Незаданное здесь берётся из файла config/region.yaml.</p>
<p id="region-status" role="status" aria-live="polite"></p>
<form id="region-form" class="form admin-form"><p class="loading">Загрузка…</p></form>` },
  { path: '/admin/polls', title: 'Голосования', script: 'admin-polls', regionOnly: true, body: `
<section class="card" aria-labelledby="h-poll-list"><h2 id="h-poll-list">Голосования</h2>
  <p id="polls-status" role="status" aria-live="polite"></p>
  <div id="poll-list"><p class="loading">Загрузка…</p></div></section>
<section class="card" aria-labelledby="h-poll-create"><h2 id="h-poll-create">Новое голосование</h2>
  <form id="poll-create" class="form admin-form"></form></section>` },
  // An organization's administrator reads here the history of the organizations they administer (the API checks).
  { path: '/admin/audit', title: 'Журнал изменений', script: 'admin-audit', regionOnly: false, body: `
<div class="filters"><span class="fld"><label for="audit-entity">Что менялось</label> <select id="audit-entity">
  <option value="">Всё</option><option value="organization">Организации</option><option value="user">Сотрудники и роли</option>
  <option value="settings">Настройки</option><option value="poll">Голосования</option></select></span></div>
<div id="audit-list"><p class="loading">Загрузка…</p></div>` },
];

function adminNav(user: PageUser, current: string): string {
  const links = PAGES.filter((p) => !p.regionOnly || isRegionAdmin(user));
  const extra = isRegionAdmin(user) ? [['/routing', 'Маршрутизация'], ['/admin/queues', 'Очереди']] : [];
  return `<nav class="subnav" aria-label="Администрирование">${
    [...links.map((p) => [p.path, p.title]), ...extra]
      .map(([href, title]) => `<a href="${href}"${href === current ? ' aria-current="page"' : ''}>${escapeHtml(title)}</a>`).join('')
  }</nav>`;
}

const forbidden = (user: PageUser) => layout({ title: 'Нет доступа', user, body: '<h1>Нет доступа</h1><p>Эта страница — для администраторов.</p>' });

export function createAdminPages(deps: { session: SessionDeps }): Router {
  const router = express.Router();
  const page = requirePage(deps.session);
  router.get('/admin', page, (_req, res) => {
    const user = res.locals.pageUser!;
    if (!isAnyAdmin(user)) return void res.status(403).type('html').send(forbidden(user));
    res.redirect(303, isRegionAdmin(user) ? '/admin/organizations' : '/admin/staff');
  });
  for (const p of PAGES) {
    router.get(p.path, page, (_req, res) => {
      const user = res.locals.pageUser!;
      if (!(p.regionOnly ? isRegionAdmin(user) : isAnyAdmin(user))) return void res.status(403).type('html').send(forbidden(user));
      res.type('html').send(
        layout({ title: p.title, user, scripts: [`/assets/js/${p.script}.js`], body: `<h1>${escapeHtml(p.title)}</h1>${adminNav(user, p.path)}
<div id="admin" data-region-admin="${isRegionAdmin(user) ? '1' : '0'}">${p.body}</div>` }),
      );
    });
  }
  return router;
}
