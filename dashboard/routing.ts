/**
 * The routing admin page (/routing): statistics of automatic routes and the threshold history for coordinators and
 * moderators; the routing table editor with its dry run, versions and settings for the region's administrators.
 * Data comes from /api/v1/routing/* (workflow/routing/api.ts) through the page script client/routing.ts.
 */
import express, { type Router } from 'express';
import { layout } from './html.js';
import { cookieValue, SESSION_COOKIE, type PageUser } from './session.js';

export interface RoutingPageDeps {
  userForToken(token: string): Promise<PageUser | null>;
  /** The region's IANA zone: the page script prints dates in it. */
  timeZone?: string;
}

export function createRoutingPage(deps: RoutingPageDeps): Router {
  const router = express.Router();
  router.get('/routing', async (req, res, next) => {
    try {
      const token = cookieValue(req, SESSION_COOKIE);
      const user = token ? await deps.userForToken(token) : null;
      if (!user) return void res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      const admin = user.roles.some((r) => r.role === 'administrator' && r.organizationId === null);
      res.type('html').send(layout({
        title: 'Маршрутизация',
        user,
        scripts: ['/assets/js/routing.js'],
        timeZone: deps.timeZone,
        body: `
<h1>Маршрутизация обращений</h1>
<div id="routing" data-admin="${admin ? '1' : '0'}">
<section class="card" aria-labelledby="h-stats"><h2 id="h-stats">Автоматическая маршрутизация</h2>
  <dl class="kpis" id="routing-stats"><dt>Загрузка…</dt></dl>
  <p class="muted">Порог уверенности меняется сам: если после автоматической маршрутизации перенаправляют больше целевой доли
  обращений, порог повышается на 0,05; если меньше половины целевой доли — понижается на 0,01, но не ниже нижней границы.</p>
  <h3>История порога</h3>
  <table class="table" id="threshold-history"><thead><tr><th>Когда</th><th>Порог</th><th>Было</th><th>Кто</th><th>Причина</th></tr></thead><tbody></tbody></table>
</section>
<section class="card" aria-labelledby="h-settings"><h2 id="h-settings">Настройки</h2>
  <form id="routing-settings" class="form">
    <label for="s-threshold">Порог уверенности (0–1)</label><input id="s-threshold" name="threshold" type="number" min="0" max="1" step="0.01">
    <label for="s-coord">Координирующая организация (код или название)</label><input id="s-coord" name="coordinatingOrganization">
    <label for="s-target">Целевая доля перенаправлений (0–1)</label><input id="s-target" name="targetRedirectRate" type="number" min="0" max="1" step="0.01">
    <label class="check"><input type="checkbox" id="s-auto" name="autoRouting"> Автоматическая маршрутизация включена</label>
    <button type="submit" class="primary">Сохранить настройки</button>
  </form>
</section>
<section class="card" aria-labelledby="h-table"><h2 id="h-table">Таблица маршрутизации <span id="table-version" class="muted"></span></h2>
  <p class="muted">Правило: категория или рубрика × муниципалитет или район (пусто — любое место) → организация (код или название).
  Правила таблицы важнее подсказок модели; изменения применяются только к обращениям, маршрутизируемым после публикации.</p>
  <table class="table" id="rules"><thead><tr><th>Категория</th><th>Рубрика</th><th>Муниципалитет</th><th>Район</th><th>Организация</th><th></th></tr></thead><tbody></tbody></table>
  <div class="actions">
    <button type="button" id="add-rule">Добавить правило</button>
    <label>Комментарий <input id="table-comment" maxlength="2000"></label>
    <button type="button" id="dry-run">Пробный прогон за месяц</button>
    <button type="button" id="publish" class="primary">Опубликовать новую версию</button>
  </div>
  <p id="routing-error" class="error" role="alert"></p>
  <div id="dry-run-result" aria-live="polite"></div>
  <h3>Версии</h3>
  <table class="table" id="versions"><thead><tr><th>Версия</th><th>Правил</th><th>Когда</th><th>Комментарий</th></tr></thead><tbody></tbody></table>
</section>
</div>`,
      }));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
