/** The demo's staff at work: each account logs in and calls the same JSON API any client does. */
import { randomBytes } from 'node:crypto';
import type { DemoOrg, Random } from './content.js';

export interface DemoApi {
  userIds: Map<string, string>;
  login(login: string, password: string): Promise<void>;
  call(login: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  createOrganizations(orgs: DemoOrg[], r: Random): Promise<Map<string, { id: string; name: string }>>;
  createStaff(orgs: Map<string, { id: string; name: string }>, staff: { role: string; suffix: string; names: string[] }[],
    r: Random): Promise<{ login: string; password: string; role: string; organization: string }[]>;
}

const ROLE_NAMES: Record<string, string> = { moderator: 'Модератор', coordinator: 'Координатор', executor: 'Исполнитель', leader: 'Руководитель',
  curator: 'Куратор', administrator: 'Администратор организации' };

export function createDemoApi(baseUrl: string): DemoApi {
  const tokens = new Map<string, string>();
  const userIds = new Map<string, string>();
  async function call(login: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${baseUrl}${path}`, { method,
      headers: { authorization: `Bearer ${tokens.get(login)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  }
  const must = async (login: string, method: string, path: string, body?: unknown) => {
    const r = await call(login, method, path, body);
    if (r.status >= 300) throw new Error(`demo: ${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  async function login(l: string, password: string) {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: l, password }) });
    if (!res.ok) throw new Error(`demo: login ${l} failed: ${res.status}`);
    tokens.set(l, ((await res.json()) as { token: string }).token);
  }
  async function person(l: string, displayName: string, roles: { role: string; organizationId: string | null }[]) {
    const password = randomBytes(9).toString('base64url');
    const created = await must('demo.admin', 'POST', '/api/v1/users', { login: l, password, displayName, roles });
    userIds.set(l, created.id as string);
    await login(l, password);
    return password;
  }
  return {
    userIds,
    login,
    call,
    async createOrganizations(orgs, r) {
      const made = new Map<string, { id: string; name: string }>();
      for (const o of orgs) {
        const created = await must('demo.admin', 'POST', '/api/v1/organizations', { name: o.name, kind: o.kind,
          parentId: o.parent ? made.get(o.parent)!.id : undefined, ogrn: r.digits(13), inn: r.digits(10), site: `https://${o.code}.demo.otklik.local` });
        await must('demo.admin', 'PUT', `/api/v1/organizations/${created.id as string}/code`, { code: o.code });
        made.set(o.code, { id: created.id as string, name: o.name });
      }
      return made;
    },
    async createStaff(orgs, staff, r) {
      const out: { login: string; password: string; role: string; organization: string }[] = [];
      const add = async (l: string, name: string, role: string, org: { id: string; name: string } | null) => {
        out.push({ login: l, password: await person(l, name, [{ role, organizationId: org?.id ?? null }]), role: ROLE_NAMES[role] ?? role,
          organization: org?.name ?? 'весь регион' });
      };
      await add('demo.moderator1', 'Романова Ирина Владимировна', 'moderator', null);
      await add('demo.moderator2', 'Яковлев Кирилл Сергеевич', 'moderator', null);
      let i = 0;
      for (const [code, org] of orgs) {
        for (const s of staff) await add(`${code}.${s.suffix}`, s.names[(i + r.int(0, 3)) % s.names.length]!, s.role, org);
        i++;
      }
      await add('region-coordination.curator', 'Медведева Светлана Олеговна', 'curator', orgs.get('region-coordination')!);
      await add('krasnoyarsk-city.admin', 'Тихонов Роман Андреевич', 'administrator', orgs.get('krasnoyarsk-city')!);
      // The readiness dialog of ПОС, answered by each organization's coordinator as they would on first login.
      for (const [code, org] of orgs) {
        await must(`${code}.coordinator`, 'POST', `/api/v1/organizations/${org.id}/confirm`, { trainingConfirmed: true, readyConfirmed: true });
      }
      return out;
    },
  };
}
