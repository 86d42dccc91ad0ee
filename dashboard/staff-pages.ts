/**
 * The staff side of «nothing is missed»: the desk's notification centre and alert settings (filled by
 * client/_notifications.ts and client/_alert-settings.ts), the region's panel of organizations nobody looks at
 * (`/activity`), and the public page where an invited person sets their password (`/invite/<token>`).
 */
import type { Router } from 'express';
import { escapeHtml, layout } from './html.js';

/** Below the desk's role sections: the notification centre, then where and about what alerts go. */
export const DESK_EXTRAS = `
<section class="card" id="notifications" aria-labelledby="h-notifications">
  <h2 id="h-notifications">Уведомления <span id="unread-badge" class="badge" hidden></span></h2>
  <div class="toolbar">
    <label class="check"><input type="checkbox" id="only-unread"> Только непрочитанные</label>
    <button type="button" id="read-all">Отметить все прочитанными</button>
  </div>
  <p id="notifications-status" class="muted" role="status"></p>
  <ul id="notifications-list" class="notifications" aria-label="Уведомления"></ul>
  <button type="button" id="notifications-more" hidden>Показать ещё</button>
</section>
<section class="card" id="alerts" aria-labelledby="h-alerts">
  <h2 id="h-alerts">Уведомления вне системы</h2>
  <p class="muted">ПОС требует отслеживать поступление обращений не реже двух раз в день. Выберите, куда Отклик будет сообщать о новых
    обращениях и сроках, и получайте сводку дважды в день.</p>
  <form id="alerts-form" class="form"><p class="muted">Загрузка…</p></form>
</section>`;

export const ACTIVITY_BODY = `
<h1>Кто не смотрит обращения</h1>
<p class="muted">Когда сотрудники каждой организации последний раз открывали рабочий стол или обращение. Организации, где никто не заходил
  больше суток, а обращения ждут ответа, — вверху списка; руководителю и куратору таких организаций Отклик пишет сам, когда до срока остаётся день.</p>
<form id="activity-filters" class="filters" aria-label="Отбор">
  <label class="check"><input type="checkbox" id="only-idle" checked> Только где никто не смотрит больше суток</label>
</form>
<p id="activity-status" class="muted" role="status"></p>
<div id="activity-list"></div>`;

/** Public: anyone with the link; the token is checked by the workflow's API, never trusted here. */
export function registerInvitePage(router: Router, timeZone?: string): void {
  router.get('/invite/:token', (req, res) => {
    const token = String(req.params.token);
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      return void res.status(404).type('html').send(layout({ title: 'Приглашение', body: '<h1>Ссылка-приглашение не найдена</h1>', timeZone }));
    }
    res.setHeader('referrer-policy', 'no-referrer');
    res.type('html').send(layout({
      title: 'Активация учётной записи',
      timeZone,
      scripts: ['/assets/js/invite.js'],
      body: `
<section class="card narrow" id="invite" data-token="${escapeHtml(token)}">
  <h1>Активация учётной записи</h1>
  <p id="invite-who" class="muted">Проверяем ссылку…</p>
  <form id="invite-form" class="form" hidden>
    <label for="new-password">Новый пароль (не короче 10 символов)</label>
    <input id="new-password" type="password" autocomplete="new-password" minlength="10" required>
    <label for="repeat-password">Пароль ещё раз</label>
    <input id="repeat-password" type="password" autocomplete="new-password" minlength="10" required>
    <button type="submit" class="primary">Активировать</button>
  </form>
  <p id="invite-status" role="alert"></p>
</section>`,
    }));
  });
}
