// Staff and roles: create accounts with their roles, rename, deactivate, set a password, change roles per organization.
import { api, h } from './_common.js';
import { attempt, checkbox, field, input, isRegionAdmin, ORG_ROLES, REGION_ROLES, ROLE_NAMES, select } from './_admin.js';

interface Org {
  id: string;
  name: string;
}
interface Role {
  role: string;
  organizationId: string | null;
}
interface User {
  id: string;
  login: string;
  displayName: string;
  active: boolean;
  roles: Role[];
}

const status = document.getElementById('staff-status');
const list = document.getElementById('staff-list')!;
const createForm = document.getElementById('staff-create') as HTMLFormElement;
const filter = document.getElementById('staff-org-filter') as HTMLSelectElement;
const regionAdmin = isRegionAdmin();
let orgs: Org[] = [];
let users: User[] = [];

const orgName = (id: string | null) => (id ? orgs.find((o) => o.id === id)?.name ?? 'организация удалена' : 'весь регион');
const roleText = (r: Role) => `${ROLE_NAMES[r.role] ?? r.role} — ${orgName(r.organizationId)}`;

/** The roles a user holds in one place, as checkboxes: saving replaces the roles held there. */
function rolesForm(u: User): HTMLFormElement {
  const place = select('organizationId', [...(regionAdmin ? [['', 'Весь регион'] as [string, string]] : []),
    ...orgs.map((o) => [o.id, o.name] as [string, string])], filter.value || (regionAdmin ? '' : orgs[0]?.id ?? ''));
  const boxes = h('div', { class: 'row' });
  const save = h('button', { type: 'submit' }, 'Сохранить роли') as HTMLButtonElement;
  const draw = () => {
    const org = place.value || null;
    const offered = org ? ORG_ROLES : REGION_ROLES;
    boxes.replaceChildren(...offered.map((role) => field(ROLE_NAMES[role]!, checkbox(role, u.roles.some((r) => r.role === role && r.organizationId === org)))));
  };
  place.addEventListener('change', draw);
  draw();
  const form = h('form', { class: 'form', 'data-roles-of': u.login }, field('Где', place), boxes, save) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const roles = Array.from(boxes.querySelectorAll<HTMLInputElement>('input:checked')).map((b) => b.name);
    void attempt(status, save, async () => {
      await api(`/api/v1/users/${u.id}/roles`, { method: 'PUT', body: { organizationId: place.value || null, roles } });
      await load();
      return `Роли сотрудника ${u.displayName} сохранены.`;
    });
  });
  return form;
}

function accountForm(u: User): HTMLFormElement {
  const name = input('displayName', u.displayName, { maxlength: 300 });
  const active = checkbox('active', u.active);
  const password = input('password', '', { type: 'password', autocomplete: 'new-password', minlength: 10 });
  const save = h('button', { type: 'submit' }, 'Сохранить') as HTMLButtonElement;
  const form = h('form', { class: 'form' },
    h('div', { class: 'row' }, field('ФИО', name), field('Новый пароль', password, 'не короче 10 символов; пусто — не менять')),
    field('Учётная запись активна', active), save) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      await api(`/api/v1/users/${u.id}`, { method: 'PATCH',
        body: { displayName: name.value.trim(), active: active.checked, ...(password.value ? { password: password.value } : {}) } });
      await load();
      return `Сотрудник ${name.value.trim()} сохранён.`;
    });
  });
  return form;
}

function row(u: User): HTMLElement {
  const details = h('div', { hidden: true });
  return h('li', { class: 'org-node', 'data-user': u.login },
    h('div', { class: 'org-head' }, h('span', { class: 'org-name' }, u.displayName), h('span', { class: 'muted' }, `логин ${u.login}`),
      u.active ? null : h('span', { class: 'flag-no' }, 'отключён')), h('p', {}, u.roles.length ? u.roles.map(roleText).join('; ') : 'Нет ролей'),
    h('button', { type: 'button', 'aria-expanded': 'false', onclick: (e: Event) => {
      if (!details.firstChild) details.append(accountForm(u), rolesForm(u));
      details.hidden = !details.hidden;
      (e.currentTarget as HTMLElement).setAttribute('aria-expanded', String(!details.hidden));
    } }, `Изменить: ${u.displayName}`), regionAdmin ? h('a', { href: `/admin/audit?entity=user&entityId=${u.id}` }, ' История') : null, details);
}

function render() {
  list.replaceChildren(users.length ? h('ul', { class: 'org-tree' }, users.map(row)) : h('p', { class: 'muted' }, 'Сотрудников пока нет.'));
  document.body.dataset.staffReady = String(users.length);
}

function buildCreateForm() {
  const login = input('login', '', { required: true, autocomplete: 'off', maxlength: 100 });
  const name = input('displayName', '', { required: true, maxlength: 300 });
  const password = input('password', '', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const place = select('organizationId', [...(regionAdmin ? [['', 'Весь регион'] as [string, string]] : []),
    ...orgs.map((o) => [o.id, o.name] as [string, string])], filter.value || (regionAdmin ? '' : orgs[0]?.id ?? ''));
  const role = select('role', []);
  const fillRoles = () => {
    const offered = place.value ? ORG_ROLES : REGION_ROLES;
    role.replaceChildren(...offered.map((r) => h('option', { value: r }, ROLE_NAMES[r]!)));
  };
  place.addEventListener('change', fillRoles);
  fillRoles();
  const save = h('button', { type: 'submit', class: 'primary' }, 'Создать сотрудника') as HTMLButtonElement;
  createForm.replaceChildren(
    h('div', { class: 'row' }, field('Логин', login, 'латиница, цифры, . _ @ -'), field('ФИО', name),
      field('Пароль', password, 'не короче 10 символов; сообщите его сотруднику лично')),
    h('div', { class: 'row' }, field('Организация', place), field('Роль', role)),
    save,
  );
  createForm.onsubmit = (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      await api('/api/v1/users', { method: 'POST',
        body: { login: login.value.trim(), displayName: name.value.trim(), password: password.value,
          roles: [{ role: role.value, organizationId: place.value || null }] } });
      createForm.reset();
      await load();
      return `Сотрудник ${name.value.trim() || login.value.trim()} создан.`;
    });
  };
}

async function load() {
  const q = filter.value ? `&organizationId=${filter.value}` : '';
  users = (await api<{ items: User[] }>(`/api/v1/users?limit=500${q}`)).items;
  render();
}

async function start() {
  const all = (await api<{ items: Org[] }>('/api/v1/organizations?limit=500')).items;
  const me = await api<{ roles: Role[] }>('/api/v1/me');
  const administered = new Set(me.roles.filter((r) => r.role === 'administrator').map((r) => r.organizationId));
  orgs = regionAdmin ? all : all.filter((o) => administered.has(o.id));
  filter.replaceChildren(...(regionAdmin ? [h('option', { value: '' }, 'Все')] : []), ...orgs.map((o) => h('option', { value: o.id }, o.name)));
  const wanted = new URLSearchParams(location.search).get('organizationId');
  if (wanted && orgs.some((o) => o.id === wanted)) filter.value = wanted;
  filter.addEventListener('change', () => void load());
  buildCreateForm();
  await load();
}
void start().catch((err: Error) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));
