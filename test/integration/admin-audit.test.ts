/**
 * The administrators' audit log is written in the transaction of the change it describes (issue #21): every change
 * writes exactly one entry, a refused change writes none, and when the entry cannot be written the change is undone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';

describe('admin audit in the transaction of the change', () => {
  let system: Otklik;
  let admin: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const auditRows = async () => Number((await system.db.query<{ n: string }>('select count(*) as n from admin_audit')).rows[0]!.n);
  /** Runs the change and returns how many audit entries it added. */
  const entriesOf = async (run: () => Promise<{ status: number; body: any }>, status: number) => {
    const before = await auditRows();
    const r = await run();
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return (await auditRows()) - before;
  };
  const poll = (title: string) => ({ title, questions: [{ kind: 'single', text: 'Где?', options: ['Здесь', 'Там'] }] });

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    // A real refusal of the database to write the entry: what the transaction must survive by undoing the change.
    await system.db.query(`
      create table refused_audit (marker text primary key);
      create function refuse_audit() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from refused_audit where marker in (new.entity_id, new.changes->>'login', new.changes->>'title')) then
          raise exception 'audit refused for %', new.entity_id;
        end if;
        return new;
      end $$;
      create trigger refuse_audit before insert on admin_audit for each row execute function refuse_audit();`);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('writes one entry for each change: organizations, codes, staff, roles, polls', async () => {
    let org = '';
    expect(await entriesOf(async () => {
      const r = await call('POST', '/api/v1/organizations', { name: 'Администрация Ачинска', kind: 'omsu' });
      org = r.body.id;
      return r;
    }, 201)).toBe(1);
    expect(await entriesOf(() => call('PATCH', `/api/v1/organizations/${org}`, { inn: '2443005570' }), 200)).toBe(1);
    expect(await entriesOf(() => call('POST', `/api/v1/organizations/${org}/confirm`, { trainingConfirmed: true }), 200)).toBe(1);
    expect(await entriesOf(() => call('PUT', `/api/v1/organizations/${org}/code`, { code: 'achinsk' }), 200)).toBe(1);
    let user = '';
    expect(await entriesOf(async () => {
      const r = await call('POST', '/api/v1/users', { login: 'achinsk.coord', password: 'a-long-password-1', displayName: 'Координатор', roles: [] });
      user = r.body.id;
      return r;
    }, 201)).toBe(1);
    expect(await entriesOf(() => call('PATCH', `/api/v1/users/${user}`, { displayName: 'Иванова И. И.', password: 'another-long-password' }), 200)).toBe(1);
    expect(await loginAs(system.url!, 'achinsk.coord', 'another-long-password')).toBeTruthy();
    expect(await entriesOf(() => call('PUT', `/api/v1/users/${user}/roles`, { organizationId: org, roles: ['coordinator'] }), 200)).toBe(1);
    let pollId = '';
    expect(await entriesOf(async () => {
      const r = await call('POST', '/api/v1/polls', poll('Какой сквер благоустроить?'));
      pollId = r.body.id;
      return r;
    }, 201)).toBe(1);
    expect(await entriesOf(() => call('PUT', `/api/v1/polls/${pollId}`, poll('Какой сквер благоустроить в 2027 году?')), 200)).toBe(1);
    expect(await entriesOf(() => call('POST', `/api/v1/polls/${pollId}/status`, { to: 'published' }), 200)).toBe(1);

    // A refused change writes nothing.
    const other = (await call('POST', '/api/v1/organizations', { name: 'Администрация Канска', kind: 'omsu' })).body.id as string;
    expect(await entriesOf(() => call('PUT', `/api/v1/organizations/${other}/code`, { code: 'achinsk' }), 409)).toBe(0);
    expect(
      await entriesOf(() => call('POST', '/api/v1/users', { login: 'achinsk.coord', password: 'a-long-password-1', displayName: 'Двойник', roles: [] }), 409),
    ).toBe(0);
    expect(await entriesOf(() => call('POST', `/api/v1/polls/${pollId}/status`, { to: 'results_published' }), 409)).toBe(0);
    expect(await entriesOf(() => call('PUT', `/api/v1/polls/${pollId}`, poll('Уже опубликовано')), 409)).toBe(0);
  });

  it('undoes the change when its entry cannot be written', async () => {
    const org = (await call('POST', '/api/v1/organizations', { name: 'Администрация Минусинска', kind: 'omsu' })).body.id as string;
    const user = (await call('POST', '/api/v1/users', { login: 'minusinsk.exec', password: 'a-long-password-1', displayName: 'Исполнитель', roles: [] })).body
      .id as string;
    const pollId = (await call('POST', '/api/v1/polls', poll('Где поставить остановку?'))).body.id as string;
    await system.db.query('insert into refused_audit (marker) values ($1), ($2), ($3), ($4), ($5)', [org, user, pollId, 'minusinsk.doomed',
      'Обречённое голосование']);
    const before = await auditRows();

    expect((await call('PATCH', `/api/v1/organizations/${org}`, { inn: '2455010740', readyConfirmed: true })).status).toBe(500);
    expect((await call('POST', `/api/v1/organizations/${org}/confirm`, { trainingConfirmed: true })).status).toBe(500);
    expect((await call('PUT', `/api/v1/organizations/${org}/code`, { code: 'minusinsk' })).status).toBe(500);
    expect((await call('GET', `/api/v1/organizations/${org}`)).body).toMatchObject({ inn: null, code: null, readyConfirmed: false, trainingConfirmed: false });

    expect((await call('PATCH', `/api/v1/users/${user}`, { displayName: 'Петров П. П.', active: false })).status).toBe(500);
    expect((await call('PUT', `/api/v1/users/${user}/roles`, { organizationId: org, roles: ['executor'] })).status).toBe(500);
    expect((await call('GET', `/api/v1/users?organizationId=${org}`)).body.items).toEqual([]);
    expect(await loginAs(system.url!, 'minusinsk.exec', 'a-long-password-1')).toBeTruthy();
    expect((await call('POST', '/api/v1/users', { login: 'minusinsk.doomed', password: 'a-long-password-1', displayName: 'Никто', roles: [] })).status).toBe(
      500,
    );
    expect((await system.db.query("select 1 from users where login = 'minusinsk.doomed'")).rowCount).toBe(0);

    expect((await call('POST', `/api/v1/polls/${pollId}/status`, { to: 'published' })).status).toBe(500);
    expect((await call('PUT', `/api/v1/polls/${pollId}`, poll('Где поставить две остановки?'))).status).toBe(500);
    expect((await call('GET', `/api/v1/polls/${pollId}`)).body).toMatchObject({ status: 'draft', title: 'Где поставить остановку?' });
    expect((await call('POST', '/api/v1/polls', poll('Обречённое голосование'))).status).toBe(500);
    expect((await system.db.query("select 1 from polls where title = 'Обречённое голосование'")).rowCount).toBe(0);

    expect(await auditRows()).toBe(before);
  });
});
