// The routing page: statistics, threshold history, settings, the routing table editor with its dry run and versions.
import type { DryRunResult } from '../../lib/routing-answers.js';
import { api, h, ruDateTime, ruPercent } from './_common.js';

interface Rule {
  category?: string;
  reason?: string;
  municipality?: string;
  district?: string;
  organization: string;
}
const FIELDS = ['category', 'reason', 'municipality', 'district', 'organization'] as const;

/** The answers of the routing API this page reads (workflow/routing/responses.ts documents them; the dry run's is lib/routing-answers.ts). */
interface RoutingStats {
  threshold: number;
  autoRoutes: number;
  redirected: number;
  rate: number;
  targetRedirectRate: number;
  toCoordinator: number;
  routingExamples: number;
  sinceLastChange: { redirected: number; autoRoutes: number };
  thresholdHistory: { at: string; threshold: number; previous: number | null; actor: string; reason: string }[];
}
interface RoutingSettings {
  threshold: number;
  coordinatingOrganization: string | null;
  targetRedirectRate: number;
  autoRouting: boolean;
}
interface RoutingTable {
  version: number | null;
  rules: Rule[];
}
interface TableVersions {
  items: { version: number; ruleCount: number; createdAt: string; comment: string }[];
}
const root = document.getElementById('routing')!;
const isAdmin = root.dataset.admin === '1';
const errorBox = document.getElementById('routing-error')!;
const pct = (x: number) => ruPercent(x, 1);
const when = (s: string) => ruDateTime(s);

function showError(err: unknown): void {
  errorBox.textContent = err instanceof Error ? err.message : String(err);
}

async function loadStats(): Promise<void> {
  const s = await api<RoutingStats>('/api/v1/routing/stats');
  const kpis: [string, string][] = [
    ['Порог уверенности', pct(s.threshold)],
    ['Направлено автоматически', String(s.autoRoutes)],
    ['Из них перенаправлено', String(s.redirected)],
    ['Доля перенаправлений', `${pct(s.rate)} (цель — не выше ${pct(s.targetRedirectRate)})`],
    ['С последнего изменения порога', `${s.sinceLastChange.redirected} из ${s.sinceLastChange.autoRoutes}`],
    ['Направлено координатору', String(s.toCoordinator)],
    ['Примеров для обучения', String(s.routingExamples)],
  ];
  document.getElementById('routing-stats')!.replaceChildren(...kpis.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  document.querySelector('#threshold-history tbody')!.replaceChildren(
    ...s.thresholdHistory.map((x) =>
      h('tr', {}, h('td', {}, when(x.at)), h('td', {}, pct(x.threshold)), h('td', {}, x.previous === null ? '—' : pct(x.previous)),
        h('td', {}, x.actor === 'system' ? 'автоматически' : 'администратор'), h('td', {}, x.reason))
    ),
  );
}

async function loadSettings(): Promise<void> {
  const s = await api<RoutingSettings>('/api/v1/routing/settings');
  (document.getElementById('s-threshold') as HTMLInputElement).value = String(s.threshold);
  (document.getElementById('s-coord') as HTMLInputElement).value = s.coordinatingOrganization ?? '';
  (document.getElementById('s-target') as HTMLInputElement).value = String(s.targetRedirectRate);
  (document.getElementById('s-auto') as HTMLInputElement).checked = s.autoRouting;
}

const rulesBody = document.querySelector('#rules tbody')!;
function ruleRow(rule: Partial<Rule> = {}): HTMLTableRowElement {
  const row = h('tr', {}, ...FIELDS.map((f) => h('td', {}, h('input', { 'aria-label': f, 'data-field': f, value: rule[f] ?? '', disabled: !isAdmin }))),
    h('td', {}, isAdmin ? h('button', { type: 'button', onclick: () => row.remove() }, 'Удалить') : ''));
  return row;
}
function readRules(): Rule[] {
  return Array.from(rulesBody.querySelectorAll('tr')).map((tr) => {
    const r: Record<string, string> = {};
    tr.querySelectorAll('input').forEach((input) => {
      if (input.value.trim()) r[input.dataset.field!] = input.value.trim();
    });
    return r as unknown as Rule;
  }).filter((r) => Object.keys(r).length > 0);
}

async function loadTable(): Promise<void> {
  const [t, v] = await Promise.all([api<RoutingTable>('/api/v1/routing/table'), api<TableVersions>('/api/v1/routing/table/versions')]);
  document.getElementById('table-version')!.textContent = t.version ? `версия ${t.version}` : 'нет версий';
  rulesBody.replaceChildren(...t.rules.map((r) => ruleRow(r)));
  document.querySelector('#versions tbody')!.replaceChildren(
    ...v.items.map((x) =>
      h('tr', {}, h('td', {}, String(x.version)), h('td', {}, String(x.ruleCount)), h('td', {}, when(x.createdAt)), h('td', {}, x.comment))
    ),
  );
}

async function dryRun(): Promise<void> {
  errorBox.textContent = '';
  const r = await api<DryRunResult>('/api/v1/routing/dry-run', { method: 'POST', body: { rules: readRules() } });
  document.getElementById('dry-run-result')!.replaceChildren(
    h('h3', {}, `Пробный прогон: ${when(r.from)} — ${when(r.to)}`),
    h('p', {}, `Всего обращений: ${r.total}; автоматически: ${r.automatic}; координатору: ${r.toCoordinator}; без маршрута: ${r.unrouted}; ` +
      `иначе, чем сейчас: ${r.changed}.`),
    h('table', { class: 'table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Организация'), h('th', {}, 'Обращений'))),
      h('tbody', {}, ...r.byOrganization.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, String(o.count)))))),
  );
}

async function publish(): Promise<void> {
  errorBox.textContent = '';
  const comment = (document.getElementById('table-comment') as HTMLInputElement).value;
  await api('/api/v1/routing/table', { method: 'PUT', body: { rules: readRules(), comment } });
  await loadTable();
}

document.getElementById('add-rule')!.addEventListener('click', () => rulesBody.append(ruleRow()));
document.getElementById('dry-run')!.addEventListener('click', () => void dryRun().catch(showError));
document.getElementById('publish')!.addEventListener('click', () => void publish().catch(showError));
document.getElementById('routing-settings')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
  void api('/api/v1/routing/settings', { method: 'PATCH', body: {
    threshold: Number(value('s-threshold')),
    targetRedirectRate: Number(value('s-target')),
    coordinatingOrganization: value('s-coord').trim() || null,
    autoRouting: (document.getElementById('s-auto') as HTMLInputElement).checked,
  } }).then(() => Promise.all([loadStats(), loadSettings()])).catch(showError);
});
for (const id of ['add-rule', 'publish']) (document.getElementById(id) as HTMLButtonElement).hidden = !isAdmin;
document.querySelectorAll('#routing-settings input, #routing-settings button').forEach((el) => {
  (el as HTMLInputElement).disabled = !isAdmin;
});

void Promise.all([loadStats(), loadSettings(), loadTable()]).catch(showError);
