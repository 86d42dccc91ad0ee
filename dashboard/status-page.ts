/**
 * The citizen's public status page, FixMyStreet-like: `/status/<registration number>?token=<secret>` from their notices
 * opens without a login and shows the stages with dates (in the region's time zone), the deadline, the organization and
 * the answer with its attachment links, and from there takes the rating (1–5, once per round) and, after a low one,
 * the request for a repeat review. No personal data: not the citizen's name, contact, address, nor the text they
 * wrote. An unknown number and a wrong token answer the same 404. Forms post to the same site with the token in the
 * body (which a third-party site cannot know), are refused from another origin, and are rate-limited per address.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { CaseStatusView, StatusActionResult, StatusDesk } from '../lib/citizen-status.js';
import { createRateLimiter } from '../lib/rate-limit.js';
import { escapeHtml, layout } from './html.js';

export interface StatusPageDeps {
  desk: StatusDesk;
  /** The region's IANA time zone (config/region.yaml `timezone`). */
  timeZone: string;
  /** Page views and form posts per client address per minute. */
  perMinute?: number;
  /** OTKLIK_PUBLIC_URL: the address citizens reach the page at, which is where its forms come from behind a proxy. */
  publicUrl?: string;
}

/** Statuses as a citizen reads them: the organisation's internal steps read as one «в работе». */
export const CITIZEN_STATUS_NAMES: Record<string, string> = {
  moderation: 'На модерации',
  rejected: 'Отклонено',
  routed: 'Направлено на рассмотрение',
  assigned: 'В работе',
  in_progress: 'В работе',
  draft: 'В работе',
  returned: 'В работе',
  on_approval: 'Ответ готовится',
  approved: 'Ответ готовится',
  answered: 'Дан ответ',
  rated: 'Ответ оценён',
  repeat_review: 'На повторном рассмотрении',
  closed: 'Рассмотрение завершено',
};

const FLASH: Record<string, { text: string; ok: boolean }> = {
  rated: { text: 'Спасибо! Ваша оценка принята.', ok: true },
  repeat: { text: 'Запрос принят: обращение направлено на повторное рассмотрение.', ok: true },
  duplicate: { text: 'Это уже сделано: оценка и запрос принимаются один раз за каждый ответ.', ok: false },
  'not-awaiting': { text: 'Сейчас это сделать нельзя: обращение не ожидает оценки или запроса.', ok: false },
  'rating-not-low': { text: 'Повторное рассмотрение можно запросить после оценки от 1 до 3.', ok: false },
  invalid: { text: 'Проверьте форму: выберите оценку от 1 до 5.', ok: false },
};

const RATING_LABELS = ['1 — очень плохо', '2 — плохо', '3 — удовлетворительно', '4 — хорошо', '5 — отлично'];

const NUMBER = /^[0-9A-Za-z-]{1,40}$/;

/** Building an Intl formatter costs more than the rest of the page: one pair per time zone, kept. */
const formatters = new Map<string, { day: (d: Date) => string; moment: (d: Date) => string }>();
function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    const day = new Intl.DateTimeFormat('ru-RU', { timeZone, day: 'numeric', month: 'long', year: 'numeric' });
    const moment = new Intl.DateTimeFormat('ru-RU', { timeZone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    f = { day: (d: Date) => day.format(d), moment: (d: Date) => moment.format(d) };
    formatters.set(timeZone, f);
  }
  return f;
}

const field = (label: string, value: string) => `<div class="field"><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;

/** After a repeat review began, the answer shown is the one the citizen found wanting, and the page says so. */
const ANSWER_STANDS = new Set(['answered', 'rated', 'closed']);

function answerSection(v: CaseStatusView, when: (d: Date) => string): string {
  if (!v.answer) return '';
  const links = v.answer.links.map((l) => `<li><a href="${escapeHtml(l.url)}" rel="noopener noreferrer">${escapeHtml(l.title)}</a></li>`).join('');
  return `<section class="card" aria-labelledby="answer-h"><h2 id="answer-h">${ANSWER_STANDS.has(v.status) ? 'Ответ' : 'Предыдущий ответ'}</h2>
<p class="muted">${escapeHtml(when(v.answer.at))}</p>
<p class="text" id="answer-text">${escapeHtml(v.answer.text)}</p>
${links ? `<h3>Вложения</h3><ul class="attachments">${links}</ul>` : ''}</section>`;
}

function ratingForm(v: CaseStatusView, token: string): string {
  const action = `/status/${encodeURIComponent(v.registrationNumber)}/rating`;
  const options = RATING_LABELS.map((label, i) =>
    `<label class="check"><input type="radio" name="rating" value="${i + 1}" required> ${escapeHtml(label)}</label>`
  ).join('\n');
  return `<section class="card" aria-labelledby="rate-h"><h2 id="rate-h">Оцените ответ</h2>
<form method="post" action="${escapeHtml(action)}" class="form" id="rating-form">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<fieldset><legend>Насколько ответ решил ваш вопрос?</legend>
${options}
</fieldset>
<label for="rating-comment">Комментарий (необязательно)</label>
<textarea id="rating-comment" name="comment" rows="3" maxlength="2000"></textarea>
<p class="muted">При оценке от 1 до 3 можно попросить о повторном рассмотрении.</p>
<button type="submit" class="primary">Отправить оценку</button>
</form></section>`;
}

function repeatForm(v: CaseStatusView, token: string): string {
  const action = `/status/${encodeURIComponent(v.registrationNumber)}/repeat-review`;
  return `<section class="card" aria-labelledby="repeat-h"><h2 id="repeat-h">Повторное рассмотрение</h2>
<p>Если ответ вас не устроил, обращение рассмотрят ещё раз с новым сроком.</p>
<form method="post" action="${escapeHtml(action)}" class="form" id="repeat-form">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="repeat-comment">Что осталось нерешённым? (необязательно)</label>
<textarea id="repeat-comment" name="comment" rows="3" maxlength="2000"></textarea>
<button type="submit" class="primary">Попросить о повторном рассмотрении</button>
</form></section>`;
}

export function statusPageBody(v: CaseStatusView, token: string, timeZone: string, flash?: string): string {
  const f = formatter(timeZone);
  const message = flash ? FLASH[flash] : undefined;
  const stages = v.stages.map((s) => `<li><time datetime="${s.at.toISOString()}">${escapeHtml(f.moment(s.at))}</time> — ${escapeHtml(s.title)}</li>`).join(
    '\n',
  );
  return `<article class="status-page" aria-labelledby="case-h">
<h1 id="case-h">Обращение <span class="nowrap">№ ${escapeHtml(v.registrationNumber)}</span></h1>
${message ? `<p role="status" class="${message.ok ? 'ok' : 'error'}" id="flash">${escapeHtml(message.text)}</p>` : ''}
<p><span class="badge status-${escapeHtml(v.status)}" id="case-status">${escapeHtml(CITIZEN_STATUS_NAMES[v.status] ?? v.status)}</span></p>
<dl class="fields">
${field('Тема', escapeHtml(v.category))}
${field('Организация', escapeHtml(v.organizationName ?? 'ещё не назначена'))}
${field('Зарегистрировано', escapeHtml(f.day(v.registeredAt)))}
${field('Срок рассмотрения', `до ${escapeHtml(f.day(v.deadlineAt))}`)}
${v.rejectionReason ? field('Причина отклонения', escapeHtml(v.rejectionReason)) : ''}
${v.rating !== null ? field('Ваша оценка', `${v.rating} из 5`) : ''}
</dl>
<section class="card" aria-labelledby="stages-h"><h2 id="stages-h">Ход рассмотрения</h2><ol class="stages" id="stages">${stages}</ol></section>
${answerSection(v, f.moment)}
${v.canRate ? ratingForm(v, token) : ''}
${v.canRequestRepeatReview ? repeatForm(v, token) : ''}
<p class="muted">Эта страница доступна по ссылке из уведомлений о вашем обращении. Не пересылайте ссылку другим людям.</p>
</article>`;
}

const NOT_FOUND = layout({ title: 'Обращение не найдено',
  body: '<h1>Обращение не найдено</h1><p>Проверьте ссылку из уведомления: в ней есть номер обращения и ключ доступа.</p>' });

/** The page's answers are the citizen's own: never cached by a proxy, never indexed, never sent on as a referrer. */
function privateHeaders(res: Response): void {
  res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex, nofollow', 'Referrer-Policy': 'no-referrer' });
}

/**
 * A form from another site is refused (the token already makes it unforgeable; this is the second lock). The page's own
 * origin is OTKLIK_PUBLIC_URL's when configured; else the host the client asked for, which behind a trusted proxy is
 * X-Forwarded-Host (`requestHost` is Express's req.host under `trust proxy`), never the proxy's upstream Host.
 */
export function sameOrigin(origin: string | undefined, fetchSite: string | undefined, page: { publicUrl?: string; requestHost: string | undefined }): boolean {
  if (origin === undefined || origin === 'null') return fetchSite !== 'cross-site';
  try {
    const from = new URL(origin);
    if (page.publicUrl) return from.origin === new URL(page.publicUrl).origin;
    return page.requestHost !== undefined && from.host === page.requestHost.toLowerCase();
  } catch {
    return false;
  }
}

export function createStatusPages(deps: StatusPageDeps): Router {
  const router = express.Router();
  const limiter = createRateLimiter(deps.perMinute ?? 60, 60_000);
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const limited = (req: Request, res: Response): boolean => {
    const wait = limiter.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!wait) return false;
    res.status(429).set('Retry-After', String(wait)).type('html')
      .send(layout({ title: 'Слишком много запросов', body: '<h1>Слишком много запросов</h1><p>Подождите минуту и обновите страницу.</p>' }));
    return true;
  };

  router.get('/status/:number', async (req, res) => {
    privateHeaders(res);
    if (limited(req, res)) return;
    const number = String(req.params.number);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const view = NUMBER.test(number) && token ? await deps.desk.view(number, token) : null;
    if (!view) return void res.status(404).type('html').send(NOT_FOUND);
    const flash = typeof req.query.done === 'string' && req.query.done in FLASH ? req.query.done : undefined;
    res.type('html').send(layout({ title: `Обращение № ${view.registrationNumber}`, body: statusPageBody(view, token, deps.timeZone, flash) }));
  });

  const post = (path: string, act: (number: string, token: string, body: Record<string, unknown>) => Promise<StatusActionResult | 'invalid'>, done: string) =>
    router.post(`/status/:number/${path}`, form, async (req, res) => {
      privateHeaders(res);
      if (limited(req, res)) return;
      if (!sameOrigin(req.get('origin'), req.get('sec-fetch-site'), { publicUrl: deps.publicUrl, requestHost: req.host })) {
        return void res.status(403).type('html').send(layout({ title: 'Запрос отклонён', body: '<h1>Запрос отклонён</h1>' }));
      }
      const number = String(req.params.number);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = typeof body.token === 'string' ? body.token : '';
      if (!NUMBER.test(number) || !token) return void res.status(404).type('html').send(NOT_FOUND);
      const result = await act(number, token, body);
      if (result !== 'invalid' && !result.ok && result.reason === 'not-found') return void res.status(404).type('html').send(NOT_FOUND);
      const outcome = result === 'invalid' ? 'invalid' : result.ok ? done : result.reason;
      res.redirect(303, `/status/${encodeURIComponent(number)}?token=${encodeURIComponent(token)}&done=${outcome}#flash`);
    });

  // PostgreSQL cannot store U+0000 in text: it is dropped rather than failing the citizen's form.
  const comment = (body: Record<string, unknown>) => {
    const text = typeof body.comment === 'string' ? body.comment.replaceAll('\u0000', '').trim().slice(0, 2000) : '';
    return text || undefined;
  };
  post('rating', async (number, token, body) => {
    const rating = Number(body.rating);
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) return 'invalid';
    return deps.desk.rate(number, token, rating, comment(body));
  }, 'rated');
  post('repeat-review', (number, token, body) => deps.desk.requestRepeatReview(number, token, comment(body)), 'repeat');
  return router;
}
