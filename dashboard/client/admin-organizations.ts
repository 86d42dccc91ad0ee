// Organizations: the region's tree with ОГРН/ИНН, routing code and readiness; create, edit, confirm readiness.
import { api, h } from './_common.js';
import { administeredOrgIds, attempt, checkbox, field, input, isRegionAdmin, ORG_KIND_NAMES, select } from './_admin.js';

interface Org {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  ogrn: string | null;
  inn: string | null;
  site: string | null;
  code: string | null;
  trainingConfirmed: boolean;
  readyConfirmed: boolean;
}
interface User {
  id: string;
  active: boolean;
  roles: { role: string; organizationId: string | null }[];
}

const status = document.getElementById('org-status');
const tree = document.getElementById('org-tree')!;
const createForm = document.getElementById('org-create') as HTMLFormElement;
const regionAdmin = isRegionAdmin();
let orgs: Org[] = [];
let users: User[] = [];
/** For an organization's administrator: the organizations they administer (the API lets them edit only these). */
let administered = new Set<string>();
const mayEdit = (o: Org) => regionAdmin || administered.has(o.id);

const kinds = Object.entries(ORG_KIND_NAMES);
const blankToUndefined = (v: string) => (v.trim() ? v.trim() : undefined);

/** Who can answer: ПОС asks for at least a coordinator and a leader in every organization that gets cases. */
function staffOf(orgId: string): { coordinators: number; leaders: number; total: number } {
  const members = users.filter((u) => u.active && u.roles.some((r) => r.organizationId === orgId));
  const count = (role: string) => members.filter((u) => u.roles.some((r) => r.organizationId === orgId && r.role === role)).length;
  return { coordinators: count('coordinator'), leaders: count('leader'), total: members.length };
}

const flag = (ok: boolean, yes: string, no: string) => h('span', { class: ok ? 'flag-ok' : 'flag-no' }, ok ? `✓ ${yes}` : `✗ ${no}`);

function editForm(o: Org): HTMLFormElement {
  const name = input('name', o.name, { required: true, maxlength: 500 });
  const kind = select('kind', kinds, o.kind);
  const ogrn = input('ogrn', o.ogrn ?? '', { inputmode: 'numeric', maxlength: 15 });
  const inn = input('inn', o.inn ?? '', { inputmode: 'numeric', maxlength: 12 });
  const site = input('site', o.site ?? '', { type: 'url', maxlength: 500 });
  const code = input('code', o.code ?? '', { maxlength: 100 });
  const parent = select('parentId', [['', '— верхний уровень —'], ...orgs.filter((x) => x.id !== o.id).map((x) => [x.id, x.name] as [string, string])],
    o.parentId ?? '');
  const training = checkbox('trainingConfirmed', o.trainingConfirmed);
  const ready = checkbox('readyConfirmed', o.readyConfirmed);
  const save = h('button', { type: 'submit', class: 'primary' }, 'Сохранить') as HTMLButtonElement;
  const form = h('form', { class: 'form admin-form', 'data-org-edit': o.id }, h('div', { class: 'row' }, field('Название', name), field('Вид', kind)),
    h('div', { class: 'row' }, field('ОГРН', ogrn, '13 цифр'), field('ИНН', inn, '10 цифр'), field('Сайт', site)),
    regionAdmin ? h('div', { class: 'row' }, field('Код для маршрутизации', code, 'латиница, как в таблице маршрутизации'), field('Входит в', parent)) : null,
    field('Пройдено обучение', training), field('ЛКО готов к работе', ready), save) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      await api(`/api/v1/organizations/${o.id}`, { method: 'PATCH', body: {
        name: name.value.trim(),
        kind: kind.value,
        ogrn: blankToUndefined(ogrn.value),
        inn: blankToUndefined(inn.value),
        site: blankToUndefined(site.value),
        trainingConfirmed: training.checked,
        readyConfirmed: ready.checked,
        ...(regionAdmin ? { parentId: parent.value || null } : {}),
      } });
      if (regionAdmin && (code.value.trim() || null) !== o.code) {
        await api(`/api/v1/organizations/${o.id}/code`, { method: 'PUT', body: { code: code.value.trim() || null } });
      }
      await load();
      return `Организация «${name.value.trim()}» сохранена.`;
    });
  });
  return form;
}

function node(o: Org): HTMLElement {
  const s = staffOf(o.id);
  const edit = h('div', { hidden: true });
  const children = orgs.filter((x) => x.parentId === o.id && mayEdit(x));
  return h('li', { class: 'org-node', 'data-org': o.id },
    h('div', { class: 'org-head' }, h('span', { class: 'org-name' }, o.name), h('span', { class: 'muted' }, ORG_KIND_NAMES[o.kind] ?? o.kind),
      o.ogrn ? h('span', {}, `ОГРН ${o.ogrn}`) : null, o.inn ? h('span', {}, `ИНН ${o.inn}`) : null,
      o.code ? h('span', { class: 'muted' }, `код ${o.code}`) : null),
    h('div', { class: 'org-head' }, flag(o.trainingConfirmed, 'обучение пройдено', 'обучение не подтверждено'),
      flag(o.readyConfirmed, 'готова к работе', 'готовность не подтверждена'), flag(s.coordinators > 0, `координаторов: ${s.coordinators}`, 'нет координатора'),
      flag(s.leaders > 0, `руководителей: ${s.leaders}`, 'нет руководителя'),
      h('a', { href: `/admin/staff?organizationId=${o.id}` }, `Сотрудники (${s.total})`),
      mayEdit(o) ? h('a', { href: `/admin/audit?entity=organization&entityId=${o.id}`, 'aria-label': `История изменений «${o.name}»` }, 'История') : null),
    h('div', { class: 'admin-actions' }, !mayEdit(o) ? null : h('button', { type: 'button', 'aria-expanded': 'false', onclick: (e: Event) => {
      const b = e.currentTarget as HTMLButtonElement;
      if (edit.hidden && !edit.firstChild) edit.append(editForm(o));
      edit.hidden = !edit.hidden;
      b.setAttribute('aria-expanded', String(!edit.hidden));
    } }, `Изменить «${o.name}»`), regionAdmin ? h('button', { type: 'button', onclick: () => startCreate(o) }, 'Добавить подчинённую') : null), edit,
    children.length ? h('ul', {}, children.map(node)) : null);
}

function render() {
  // The API lists every organization; an organization's administrator sees and edits the ones they administer.
  const mine = regionAdmin ? orgs : orgs.filter((o) => administered.has(o.id));
  const ids = new Set(mine.map((o) => o.id));
  const roots = mine.filter((o) => !o.parentId || !ids.has(o.parentId));
  tree.replaceChildren(roots.length ?
    h('ul', { class: 'org-tree' }, roots.map(node))
    : h('p', { class: 'muted' }, 'Организаций пока нет. Создайте первую — например, администрацию региона, затем министерства и муниципалитеты.'));
  document.body.dataset.orgsReady = String(orgs.length);
}

function buildCreateForm() {
  const name = input('name', '', { required: true, maxlength: 500 });
  const kind = select('kind', kinds, 'omsu');
  const parent = select('parentId', [['', '— верхний уровень —'], ...orgs.map((x) => [x.id, x.name] as [string, string])]);
  const ogrn = input('ogrn', '', { inputmode: 'numeric', maxlength: 15 });
  const inn = input('inn', '', { inputmode: 'numeric', maxlength: 12 });
  const site = input('site', '', { type: 'url', maxlength: 500 });
  const code = input('code', '', { maxlength: 100 });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Создать организацию') as HTMLButtonElement;
  createForm.replaceChildren(
    h('div', { class: 'row' }, field('Название', name), field('Вид', kind), field('Входит в', parent)),
    h('div', { class: 'row' }, field('ОГРН', ogrn, '13 цифр'), field('ИНН', inn, '10 цифр'), field('Сайт', site),
      field('Код для маршрутизации', code, 'необязательно')),
    save,
  );
  createForm.onsubmit = (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      const created = await api<Org>('/api/v1/organizations', { method: 'POST', body: {
        name: name.value.trim(),
        kind: kind.value,
        parentId: parent.value || undefined,
        ogrn: blankToUndefined(ogrn.value),
        inn: blankToUndefined(inn.value),
        site: blankToUndefined(site.value),
      } });
      if (code.value.trim()) await api(`/api/v1/organizations/${created.id}/code`, { method: 'PUT', body: { code: code.value.trim() } });
      await load();
      return `Организация «${created.name}» создана. Добавьте ей сотрудников: координатора, исполнителей и руководителя.`;
    });
  };
}

function startCreate(parentOrg: Org) {
  (createForm.elements.namedItem('parentId') as HTMLSelectElement).value = parentOrg.id;
  (createForm.elements.namedItem('name') as HTMLInputElement).focus();
}

async function load() {
  const [o, u, a] = await Promise.all([
    api<{ items: Org[] }>('/api/v1/organizations?limit=500'),
    api<{ items: User[] }>('/api/v1/users?limit=500').catch(() => ({ items: [] as User[] })),
    regionAdmin ? Promise.resolve(new Set<string>()) : administeredOrgIds(),
  ]);
  orgs = o.items;
  users = u.items;
  administered = a;
  render();
  if (!regionAdmin) document.getElementById('h-org-tree')!.textContent = 'Ваши организации';
  if (regionAdmin) {
    document.getElementById('org-create-card')!.hidden = false;
    buildCreateForm();
  }
}
void load().catch((err: Error) => tree.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));
