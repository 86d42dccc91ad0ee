// The cases list behind a chart: the URL's filters go to GET /api/v1/cases as they are.
import { api, casesTable, h, SOURCE_LABELS, STATUS_NAMES, type CaseSummary } from './_common.js';

const params = new URLSearchParams(location.search);
const LABELS: Record<string, (v: string) => string> = {
  municipality: (v) => `муниципалитет: ${v}`,
  category: (v) => `категория: ${v}`,
  source: (v) => `источник: ${SOURCE_LABELS[v]?.name ?? v}`,
  overdue: (v) => (v === 'true' ? 'только просроченные' : 'без просроченных'),
  from: (v) => `с ${v}`,
  to: (v) => `до ${v}`,
  status: (v) => `статус: ${v.split(',').map((s) => STATUS_NAMES[s] ?? s).join(', ')}`,
  organizationId: () => 'организация',
  assignedToMe: () => 'мои',
};

async function start() {
  const list = document.getElementById('cases-list')!;
  const chips = [...params.entries()].filter(([k]) => LABELS[k]).map(([k, v]) => LABELS[k]!(v));
  let orgName = '';
  try {
    const org = params.get('organizationId');
    if (org) orgName = (await api<{ name: string }>(`/api/v1/organizations/${org}`)).name;
  } catch {
    // The filter still applies; only its name is missing.
  }
  document.getElementById('cases-filter')!.textContent = chips.length
    ? `Отбор: ${chips.map((c) => (c === 'организация' && orgName ? `организация: ${orgName}` : c)).join('; ')}` :
    'Все доступные вам обращения';
  if (!params.has('limit')) params.set('limit', '200');
  try {
    const data = await api<{ items: CaseSummary[]; total: number }>(`/api/v1/cases?${params.toString()}`);
    document.getElementById('cases-total')!.textContent = `Найдено: ${data.total}`;
    list.replaceChildren(casesTable(data.items, 'Обращения'));
  } catch (err) {
    list.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
  }
  document.body.dataset.casesReady = 'true';
}
void start();
