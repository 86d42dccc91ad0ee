/**
 * The audit log's changes as a Russian reader reads them: «ИНН: — → 2457009983», «Роли: Исполнитель → Координатор»,
 * field names and codes in words, organizations by name. Bundled into the audit page's script; pure, so tested here.
 */

/** How the page names what the entries refer to by id or code. */
export interface AuditNames {
  organizations: Record<string, string>;
  roles: Record<string, string>;
  orgKinds: Record<string, string>;
  pollStatuses: Record<string, string>;
}

const FIELD_NAMES: Record<string, string> = {
  name: 'Название',
  kind: 'Вид',
  parentId: 'Входит в',
  ogrn: 'ОГРН',
  inn: 'ИНН',
  site: 'Сайт',
  code: 'Код для маршрутизации',
  trainingConfirmed: 'Пройдено обучение',
  readyConfirmed: 'ЛКО готов к работе',
  login: 'Логин',
  displayName: 'ФИО',
  active: 'Активен',
  password: 'Пароль',
  roles: 'Роли',
  organizationId: 'Где',
  title: 'Название',
  status: 'Статус',
  timezone: 'Часовой пояс',
  standardDays: 'Обычный срок, дней',
  fastTrackDays: 'Срок быстрой задачи, дней',
  fastTrack: 'Быстрые задачи',
  categories: 'Категории',
  reasons: 'Рубрики',
  keywords: 'Фразы в тексте',
  federalServices: 'Федеральные службы',
  id: 'Код',
  days: 'Дней',
  value: 'Значение',
};

export const fieldName = (key: string) => FIELD_NAMES[key] ?? key;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value of the field `key` in words: organizations by name, codes by their Russian names, yes/no, «—» for nothing. */
export function valueText(key: string, v: unknown, names: AuditNames): string {
  if (v === null || v === undefined || v === '') return key === 'organizationId' ? 'весь регион' : '—';
  if (typeof v === 'boolean') return v ? 'да' : 'нет';
  if (Array.isArray(v)) return v.length ? v.map((x) => valueText(key === 'roles' ? 'role' : key, x, names)).join(', ') : '—';
  if (isPlainObject(v)) {
    if (typeof v.role === 'string' && 'organizationId' in v) {
      return `${valueText('role', v.role, names)} (${valueText('organizationId', v.organizationId, names)})`;
    }
    return `(${fieldsText(v, names)})`;
  }
  const s = String(v);
  if (key === 'parentId' || key === 'organizationId') return names.organizations[s] ?? 'организация удалена';
  if (key === 'role' || key === 'roles') return names.roles[s] ?? s;
  if (key === 'kind') return names.orgKinds[s] ?? s;
  if (key === 'status') return names.pollStatuses[s] ?? s;
  return typeof v === 'number' || key === 'password' ? s : `«${s}»`;
}

const isFromTo = (v: unknown): v is { from?: unknown; to?: unknown } =>
  isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k === 'from' || k === 'to');

const change = (key: string, from: unknown, to: unknown, names: AuditNames) => `${valueText(key, from, names)} → ${valueText(key, to, names)}`;

/** «Название: «…»; ИНН: — → 2457009983». */
function fieldsText(fields: Record<string, unknown>, names: AuditNames): string {
  return Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${fieldName(k)}: ${isFromTo(v) ? change(k, v.from, v.to, names) : valueText(k, v, names)}`).join('; ');
}

/** The field a whole-entity {from, to} is about: the routing code, a poll's status, roles in one place, a setting's value. */
const SUBJECT_OF_ACTION: Record<string, string> = { code: 'code', status: 'status', roles: 'roles', set: 'value', removed: 'value' };

/** One audit entry's changes as text. */
export function describeChanges(e: { action: string; changes: Record<string, unknown> }, names: AuditNames): string {
  const { from, to, ...rest } = e.changes;
  if (from === undefined && to === undefined) return fieldsText(e.changes, names) || '—';
  const restText = fieldsText(rest, names);
  // A creation or a confirmation keeps the new fields under `to`.
  if (from === undefined && isPlainObject(to)) return [restText, fieldsText(to, names)].filter(Boolean).join('; ');
  const subject = SUBJECT_OF_ACTION[e.action] ?? 'value';
  const value = from === undefined ? valueText(subject, to, names) : change(subject, from, to, names);
  return [restText, `${fieldName(subject)}: ${value}`].filter(Boolean).join('; ');
}
