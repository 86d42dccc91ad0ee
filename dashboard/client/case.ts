// The case page: the whole history, the citizen's channel, attachments, the draft editor with the answer-quality
// warnings, the deadline, and a form for every action the caller may take now.
import { announce, api, countdown, h, KIND_NAMES, ruDate, ruDateTime, SOURCE_LABELS, sourceBadge, STATUS_NAMES, timeLeft,
  type CaseSummary } from './_common.js';
import { detached } from './_detached.js';

interface Warning {
  code: string;
  message: string;
}
interface Attachment {
  kind: string;
  ref: string;
}
/** The case as its page reads it: a list row, with the fields a row may lack always there, and the rest of its file. */
interface CaseDetail extends CaseSummary {
  kind: string;
  text: string;
  link: string | null;
  municipality: string | null;
  confidence: number;
  attachments: Attachment[];
  place: { address?: string; municipality?: string };
  deadlineDays: number;
  deadlineRule: string;
  rejectionReason: string | null;
  rating: number | null;
  contact?: { name?: string | null; phone?: string | null; email?: string | null; channelUserId?: string | null };
  history: { id: string; at: string; actorName: string | null; actor: string; type: string; fromStatus: string | null; toStatus: string | null;
    comment: string | null }[];
  answers: { id: string; text: string; attachments: Attachment[]; lint: Warning[]; authorName: string; createdAt: string }[];
  availableActions: string[];
  citizenChannel: string | null;
  deliveries: { outboundId: string; channel: string | null; kind: string; status: string; attempts: number; error: string | null; deliveredAt: string;
    updatedAt: string }[];
}

const ACTION_LABELS: Record<string, string> = {
  accept: 'Принять и направить',
  reject: 'Отклонить',
  redirect: 'Перенаправить',
  assign: 'Назначить исполнителя',
  take: 'Взять в работу лично',
  start: 'Начать работу',
  pass: 'Передать другому исполнителю',
  'return-to-coordinator': 'Вернуть координатору',
  'save-draft': 'Сохранить черновик',
  submit: 'Отправить на утверждение',
  approve: 'Утвердить и отправить ответ',
  return: 'Вернуть на доработку',
  close: 'Закрыть',
  'stop-repeat-review': 'Прекратить повторное рассмотрение',
};
const EVENT_NAMES: Record<string, string> = {
  registered: 'Зарегистрировано',
  transition: 'Смена статуса',
  category_corrected: 'Исправлена категория',
  kind_corrected: 'Исправлен тип',
  incident_merged: 'Объединено в инцидент',
  incident_split: 'Выделено из инцидента',
  'send-answer': 'Ответ отправлен гражданину',
  rate: 'Оценка гражданина',
  'close-rated': 'Закрыто после оценки',
  'repeat-review-request': 'Запрос повторного рассмотрения',
  fast_track_marked: 'Отмечено как фаст-трек',
  fast_track_unmarked: 'Снята отметка фаст-трека',
  deadline_recomputed: 'Пересчитан срок',
};
/** The rule a moderator's own fast-track mark carries (workflow/term-change.ts MANUAL_FAST_TRACK): only that one can be taken back. */
const MANUAL_FAST_TRACK = 'fast-track:manual';
/** Where the term still runs (workflow/rules.ts OPEN_STATUSES). */
const OPEN_STATUSES = ['moderation', 'routed', 'assigned', 'in_progress', 'draft', 'on_approval', 'returned', 'approved', 'repeat_review'];
const DELIVERY_CHANNELS: Record<string, string> = { email: 'E-mail', sms: 'SMS', vk: 'ВКонтакте', telegram: 'Telegram', max: 'MAX', ok: 'Одноклассники' };
const DELIVERY_KINDS: Record<string, string> = {
  registered: 'Регистрация',
  status: 'Ход рассмотрения',
  answer: 'Ответ',
  rejection: 'Отклонение',
  rating_request: 'Просьба оценить',
  interim: 'Взято в работу',
};
const DELIVERY_STATUSES: Record<string, string> = {
  sent: 'Отправлено',
  recorded: 'Не отправлено: режим разработки',
  retrying: 'Повторная попытка',
  failed: 'Не доставлено',
  bounced: 'Отклонено получателем',
};

/** What left for the citizen and what became of it; a citizen who left no way back gets nothing, and staff are told. */
function deliveriesCard(): HTMLElement {
  const none = c.citizenChannel === null;
  return h('section', { class: 'card', 'aria-labelledby': 'dlv-h', id: 'deliveries' }, h('h2', { id: 'dlv-h' }, 'Уведомления гражданину'), none ?
    h('p', { class: 'warn', id: 'no-contact' }, 'Гражданин не оставил контактов для ответа: уведомления о ходе рассмотрения и ответ ему не отправляются.')
    : h('p', { class: 'muted' }, `Канал: ${DELIVERY_CHANNELS[c.citizenChannel!] ?? c.citizenChannel}`), c.deliveries.length === 0 ?
    (none ? '' : h('p', { class: 'muted' }, 'Уведомлений ещё не было.'))
    : h('table', { class: 'history' },
      h('thead', {}, h('tr', {}, ['Время', 'Канал', 'Уведомление', 'Статус', 'Попыток', 'Причина'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {},
        c.deliveries.map((d) =>
          h('tr', { 'data-status': d.status }, h('td', {}, ruDateTime(d.updatedAt)), h('td', {}, DELIVERY_CHANNELS[d.channel ?? ''] ?? d.channel ?? ''),
            h('td', {}, DELIVERY_KINDS[d.kind] ?? d.kind),
            h('td', { class: d.status === 'failed' || d.status === 'bounced' ? 'bad' : '' }, DELIVERY_STATUSES[d.status] ?? d.status),
            h('td', {}, String(d.attempts)), h('td', {}, d.error ?? ''))
        ))));
}

/** The rule that set the deadline (classify/deadlines.ts names it), as staff read it. */
function deadlineRuleName(rule: string): string {
  if (!rule || rule === 'standard') return 'общий срок рассмотрения';
  if (rule === 'fast-track:category') return 'быстрая задача по категории';
  if (rule === 'fast-track:reason') return 'быстрая задача по рубрике';
  if (rule.startsWith('fast-track:keyword:')) return `быстрая задача: в тексте «${rule.slice('fast-track:keyword:'.length)}»`;
  if (rule.startsWith('federal:')) return 'срок федеральной службы';
  return 'особый срок';
}
const daysWord = (n: number) => (n % 10 === 1 && n % 100 !== 11 ? 'день' : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 'дня' : 'дней');

const root = document.getElementById('case')!;
const caseId = root.dataset.caseId!;
let c: CaseDetail;
/** A region-wide moderator may mark a case fast-track by hand (the server checks it again). */
let moderator = false;

const field = (label: string, ...value: (Node | string | null)[]) => h('div', { class: 'field' }, h('dt', {}, label), h('dd', {}, ...value));
const ATTACHMENT_KINDS: Record<string, string> = { photo: 'Фото', video: 'Видео', document: 'Документ', audio: 'Аудио', link: 'Ссылка', other: 'Файл' };
const attachmentsList = (list: Attachment[]) => (list.length
  ? h('ul', { class: 'attachments' },
    list.map((a) =>
      h('li', {}, `${ATTACHMENT_KINDS[a.kind] ?? 'Файл'}: `,
        /^https?:\/\//.test(a.ref) ? h('a', { href: a.ref, rel: 'noopener noreferrer', target: '_blank' }, a.ref) : a.ref)
    ))
  : h('span', { class: 'muted' }, 'нет'));

/** One attachment a line: «фото https://…» (or photo, видео, документ…); a bare address is a photo unless it is a page link. */
function parseAttachments(text: string): Attachment[] {
  const kindOf = (word: string) =>
    Object.entries(ATTACHMENT_KINDS).find(([k, name]) =>
      word.toLowerCase().replace(/:$/, '') === k || word.toLowerCase().replace(/:$/, '') === name.toLowerCase()
    )?.[0];
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [k, ...rest] = l.split(/\s+/);
    const kind = kindOf(k!);
    return kind && rest.length ? { kind, ref: rest.join(' ') } : { kind: /^https?:/.test(l) ? 'link' : 'photo', ref: l };
  });
}

function warningsList(ws: Warning[], id: string): HTMLElement {
  return h('div', { id, class: 'warnings', 'aria-live': 'polite' }, ws.length ?
    [h('p', { class: 'warn' }, 'Замечания к ответу:'), h('ul', {}, ws.map((w) => h('li', { 'data-code': w.code }, w.message)))]
    : h('p', { class: 'ok' }, 'Замечаний к ответу нет.'));
}

async function perform(action: string, body: Record<string, unknown> = {}) {
  const msg = document.getElementById('action-status');
  try {
    const r = await api<{ status: string; warnings?: Warning[] }>(`/api/v1/cases/${caseId}/${action}`, { method: 'POST',
      body: { expectedVersion: c.version, ...body } });
    await load();
    announce(document.getElementById('action-status'), `Готово: ${ACTION_LABELS[action] ?? action}. Статус — «${STATUS_NAMES[r.status] ?? r.status}».`);
  } catch (err) {
    announce(msg, `Не удалось: ${(err as Error).message}`, true);
  }
}

async function organizations(): Promise<{ id: string; name: string }[]> {
  return (await api<{ items: { id: string; name: string }[] }>('/api/v1/organizations?limit=500')).items;
}

/** Who this case may go to: asked of the case itself, so an executor passing it gets the list too. */
async function executors(): Promise<{ id: string; displayName: string }[]> {
  if (!c.organizationId) return [];
  return (await api<{ items: { id: string; displayName: string }[] }>(`/api/v1/cases/${caseId}/assignees`)).items;
}

function draftEditor(action: 'save-draft' | 'approve'): HTMLElement {
  const latest = c.answers[c.answers.length - 1];
  const text = h('textarea', { id: `${action}-text`, rows: 8, maxlength: 10000, 'aria-describedby': `${action}-warnings` }) as HTMLTextAreaElement;
  text.value = latest?.text ?? '';
  const files = h('textarea', { id: `${action}-attachments`, rows: 2, placeholder: 'фото https://… (по одному вложению в строке)' }) as HTMLTextAreaElement;
  files.value = (latest?.attachments ?? []).map((a) => `${(ATTACHMENT_KINDS[a.kind] ?? 'Файл').toLowerCase()} ${a.ref}`).join('\n');
  // The box stays the same element and only its content is replaced: a reference to a replaced element would go stale.
  const warnings = warningsList(latest?.lint ?? [], `${action}-warnings`);
  let timer: number | undefined;
  const check = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(detached(async () => {
      if (!text.value.trim()) return;
      try {
        const r = await api<{ warnings: Warning[] }>('/api/v1/answer-lint', { method: 'POST',
          body: { text: text.value, attachments: parseAttachments(files.value), caseId } });
        warnings.replaceChildren(...Array.from(warningsList(r.warnings, `${action}-warnings`).childNodes));
        warnings.dataset.checked = String(Number(warnings.dataset.checked ?? 0) + 1);
      } catch {
        // The check is advisory; saving reports the warnings again.
      }
    }), 400);
  };
  text.addEventListener('input', check);
  files.addEventListener('input', check);
  return h('section', { class: 'card editor', 'aria-labelledby': `${action}-h` },
    h('h2', { id: `${action}-h` }, action === 'approve' ? 'Ответ на утверждении' : 'Черновик ответа'),
    h('p', { class: 'muted' }, SOURCE_LABELS[c.source]?.replyNote ?? ''), h('label', { for: `${action}-text` }, 'Текст ответа'), text,
    h('label', { for: `${action}-attachments` }, 'Вложения (фото и видео выполненных работ)'), files, warnings,
    h('button', { type: 'button', class: 'primary', 'data-action': action, onclick: () => {
      const edited = text.value.trim();
      if (action === 'save-draft') return void perform('save-draft', { text: edited, attachments: parseAttachments(files.value) });
      return void perform('approve', edited && edited !== latest?.text ? { text: edited } : {});
    } }, ACTION_LABELS[action]!));
}

async function markFastTrack(fastTrack: boolean, reason: string) {
  const msg = document.getElementById('action-status');
  if (reason.length < 3) return announce(msg, 'Укажите причину (не короче трёх символов).', true);
  try {
    const r = await api<{ deadlineAt: string }>(`/api/v1/cases/${caseId}/fast-track`, { method: 'POST',
      body: { expectedVersion: c.version, fastTrack, reason } });
    await load();
    announce(document.getElementById('action-status'),
      `${fastTrack ? 'Обращение отмечено как фаст-трек' : 'Отметка фаст-трека снята'}. Срок ответа — ${ruDate(r.deadlineAt)}`);
  } catch (err) {
    announce(msg, `Не удалось: ${(err as Error).message}`, true);
  }
}

/** The moderator's fast-track mark while the term runs: set it, or take back one set by hand (the region's rules decide then). */
function fastTrackForm(): HTMLElement | null {
  if (!moderator || !OPEN_STATUSES.includes(c.status)) return null;
  if (c.fastTrack && c.deadlineRule !== MANUAL_FAST_TRACK) return h('p', { class: 'muted', id: 'fast-track-note' }, 'Фаст-трек назначен правилами региона.');
  const reason = h('textarea', { id: 'fast-track-reason', rows: 2, maxlength: 2000 }) as HTMLTextAreaElement;
  const label = c.fastTrack ? 'Снять отметку фаст-трека' : 'Отметить как фаст-трек';
  return h('div', { class: 'action' }, h('label', { for: 'fast-track-reason' }, 'Причина (попадёт в журнал обращения)'), reason,
    h('button', { type: 'button', 'data-action': 'fast-track', onclick: () => void markFastTrack(!c.fastTrack, reason.value.trim()) }, label));
}

async function actionForms(): Promise<HTMLElement[]> {
  const out: HTMLElement[] = [];
  const simple: HTMLElement[] = [];
  for (const action of c.availableActions) {
    if (action === 'save-draft' || action === 'approve') {
      out.push(draftEditor(action));
    } else if (action === 'accept' || action === 'redirect') {
      const sel = h('select', { id: `${action}-org` }, h('option', { value: '' }, 'Выберите…'), (await organizations()).filter((o) =>
        o.id !== c.organizationId
      ).map((o) => h('option', { value: o.id }, o.name)));
      const reason = action === 'redirect' ? h('input', { id: 'redirect-reason', maxlength: 2000 }) : null;
      out.push(
        h('div', { class: 'action' }, h('label', { for: `${action}-org` }, 'Организация'), sel,
          reason ? [h('label', { for: 'redirect-reason' }, 'Причина'), reason] : null, h('button', { type: 'button', 'data-action': action, onclick: () =>
            void perform(action, { organizationId: sel.value || undefined, ...(reason ? { reason: reason.value.trim() || undefined } : {}) }) },
            ACTION_LABELS[action]!)),
      );
    } else if (action === 'assign' || action === 'pass') {
      const people = (await executors()).filter((p) => p.id !== c.executorId);
      const sel = h('select', { id: `${action}-executor` }, h('option', { value: '' }, 'Выберите исполнителя…'), people.map((p) =>
        h('option', { value: p.id }, p.displayName)
      ));
      out.push(
        h('div', { class: 'action' }, h('label', { for: `${action}-executor` }, 'Исполнитель'), sel,
          h('button', { type: 'button', 'data-action': action, onclick: () => void perform(action, { executorId: sel.value || undefined }) },
            ACTION_LABELS[action]!)),
      );
    } else if (['reject', 'return', 'return-to-coordinator', 'stop-repeat-review'].includes(action)) {
      const key = action === 'reject' ? 'reason' : 'comment';
      const input = h('textarea', { id: `${action}-comment`, rows: 2, maxlength: 2000 }) as HTMLTextAreaElement;
      out.push(
        h('div', { class: 'action' }, h('label', { for: `${action}-comment` }, action === 'reject' ? 'Причина отклонения' : 'Комментарий'), input,
          h('button', { type: 'button', 'data-action': action, onclick: () => void perform(action, { [key]: input.value.trim() || undefined }) },
            ACTION_LABELS[action]!)),
      );
    } else {
      simple.push(
        h('button', { type: 'button', 'data-action': action, class: action === 'submit' || action === 'take' || action === 'start' ? 'primary' : '',
          onclick: () => void perform(action) }, ACTION_LABELS[action] ?? action),
      );
    }
  }
  if (simple.length) out.unshift(h('div', { class: 'action buttons' }, simple));
  const fastTrack = fastTrackForm();
  if (fastTrack) out.push(fastTrack);
  return out;
}

async function render() {
  const cd = countdown(c.deadlineAt);
  const open = !['answered', 'rated', 'closed', 'rejected'].includes(c.status);
  const src = SOURCE_LABELS[c.source]?.name ?? c.source;
  const forms = await actionForms();
  root.replaceChildren(
    h('h1', {}, `Обращение № ${c.registrationNumber}`),
    h('p', { class: 'case-head' }, h('span', { class: `badge status-${c.status}`, id: 'case-status' }, STATUS_NAMES[c.status] ?? c.status),
      c.fastTrack ? h('span', { class: 'badge warn' }, 'Быстрая задача') : null, // A case made from signals is counted in hours: the time left says hours, not days.
      h('span', { class: open && cd.overdue ? 'bad' : open && cd.urgent ? 'warn' : '' },
        `Срок ответа: ${c.origin === 'signal' ? ruDateTime(c.deadlineAt) : ruDate(c.deadlineAt)}${
          open ?
            ` (${
              cd.overdue ?
                'просрочено'
                : c.origin === 'signal'
                ? timeLeft(c.deadlineAt).text
                : `осталось дней: ${Math.max(0, c.daysLeft)}`
            })` :
            ''
        }`)),
    c.origin === 'signal' ?
      h('p', { class: 'muted', id: 'signal-note' },
        'Инцидент мониторинга: утверждённый ответ будет опубликован во всех ветках инцидента, где пишет сообщество региона; ',
        h('a', { href: `/inbox?status=all` }, 'ветки и доставка — во входящих мониторинга'), '.') :
      '',
    h('div', { class: 'case-grid' },
      h('section', { class: 'card', 'aria-labelledby': 'msg-h' }, h('h2', { id: 'msg-h' }, 'Сообщение гражданина'),
        h('p', {}, sourceBadge(c.source), ` ${src} · ${ruDateTime(c.registeredAt)} `,
          c.link ? h('a', { href: c.link, target: '_blank', rel: 'noopener noreferrer' }, 'Открыть оригинал') : null),
        h('p', { class: 'text', id: 'message-text' }, c.text),
        h('dl', { class: 'fields' }, field('Категория', `${c.category} (уверенность ${Math.round(c.confidence * 100)}%)`),
          field('Тип', KIND_NAMES[c.kind] ?? c.kind), field('Муниципалитет', c.municipality ?? '—'), field('Адрес', c.place?.address ?? '—'),
          field('Организация', c.organizationName ?? '—'),
          field('Срок по правилу', `${c.deadlineDays} ${daysWord(c.deadlineDays)} — ${deadlineRuleName(c.deadlineRule)}`),
          field('Вложения', attachmentsList(c.attachments ?? [])),
          field('Канал ответа', `${src}${c.contact?.phone ? `, тел. ${c.contact.phone}` : ''}${c.contact?.email ? `, ${c.contact.email}` : ''}`),
          c.rejectionReason ? field('Причина отклонения', c.rejectionReason) : null, c.rating ? field('Оценка гражданина', String(c.rating)) : null)),
      h('section', { class: 'card', 'aria-labelledby': 'act-h' }, h('h2', { id: 'act-h' }, 'Действия'),
        h('p', { id: 'action-status', role: 'status', 'aria-live': 'polite' }),
        forms.length ? forms : h('p', { class: 'muted' }, 'Для вас сейчас нет действий по этому обращению.'))),
    c.answers.length === 0 ?
      '' :
      h('section', { class: 'card', 'aria-labelledby': 'ans-h' }, h('h2', { id: 'ans-h' }, 'Ответы'),
        c.answers.map((a) =>
          h('article', { class: 'answer' }, h('p', { class: 'muted' }, `${a.authorName}, ${ruDateTime(a.createdAt)}`), h('p', { class: 'text' }, a.text),
            attachmentsList(a.attachments), a.lint.length ? warningsList(a.lint, `lint-${a.id}`) : null)
        )),
    deliveriesCard(),
    h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'История'),
      h('table', { class: 'history' },
        h('thead', {}, h('tr', {}, ['Время', 'Кто', 'Событие', 'Статус', 'Комментарий'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {},
          c.history.map((e) =>
            h('tr', {}, h('td', {}, ruDateTime(e.at)),
              h('td', {}, e.actorName ?? (e.actor === 'system' ? 'Система' : e.actor === 'citizen' ? 'Гражданин' : e.actor)),
              h('td', {}, EVENT_NAMES[e.type] ?? ACTION_LABELS[e.type] ?? e.type), h('td', {}, e.toStatus && e.toStatus !== e.fromStatus
                ? `${e.fromStatus ? `${STATUS_NAMES[e.fromStatus] ?? e.fromStatus} → ` : ''}${STATUS_NAMES[e.toStatus] ?? e.toStatus}`
                : ''), h('td', {}, e.comment ?? ''))
          )))),
  );
  document.body.dataset.caseStatus = c.status;
  document.body.dataset.caseVersion = String(c.version);
}

async function load() {
  try {
    c = await api<CaseDetail>(`/api/v1/cases/${caseId}`);
    await render();
  } catch (err) {
    root.replaceChildren(h('h1', {}, 'Обращение'), h('p', { class: 'error', role: 'alert' }, (err as Error).message));
  }
}
async function start() {
  try {
    const me = await api<{ roles: { role: string; organizationId: string | null }[] }>('/api/v1/me');
    moderator = me.roles.some((r) => r.role === 'moderator' && r.organizationId === null);
  } catch {
    // Without the roles the page still shows the case; the fast-track form is left out.
  }
  await load();
}
void start();
