/**
 * An organization that can receive cases can answer them: routing (by hand and automatic) refuses one without an
 * active coordinator and an active leader, and says why in Russian. Staff cards carry ФИО, position, mobile phone and
 * e-mail; new staff activate their account through a one-time, expiring invitation link; every change of roles and
 * card is in the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../support.js';
import { api, buildClassified, createOrg, createUser, HARNESS_PUBLIC_URL, registerThroughQueue, staffMail, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

const T0 = '2026-11-20T03:00:00.000Z';

describe('organizations that can answer, staff cards, invitations and history', () => {
  let h: Harness;
  let a: Api;
  let admin: string;
  let moderator: { id: string; token: string };

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0) });
    a = api(h);
    admin = await loginAs(h.url, 'admin', 'test-admin-password');
    moderator = await createUser(h, 'moderator', [['moderator', null]]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const accept = async (caseId: string, organizationId?: string) =>
    a.post(`/api/v1/cases/${caseId}/accept`, { expectedVersion: 0, ...(organizationId ? { organizationId } : {}) }, moderator.token);

  it('refuses to route by hand to an organization without an active coordinator and an active leader, and says why', async () => {
    const school = await createOrg(h, 'МБОУ СОШ № 12');
    const caseId = await registerThroughQueue(h, buildClassified());
    const none = await accept(caseId, school);
    expect(none.status).toBe(409);
    expect(none.body.error).toBe('Организация «МБОУ СОШ № 12» не может получать обращения: в ней нет активного координатора и активного руководителя. '
      + 'ПОС требует назначить ответственных (минимум два человека, включая руководителя): назначьте роли в организации или выберите другую.');
    await createUser(h, 'school-coordinator', [['coordinator', school]]);
    expect((await accept(caseId, school)).body.error).toMatch(/в ней нет активного руководителя\./);
    const leader = await createUser(h, 'school-leader', [['leader', school]]);
    // An inactive leader is no leader.
    await h.db.query('update users set active = false where id = $1', [leader.id]);
    expect((await accept(caseId, school)).status).toBe(409);
    await h.db.query('update users set active = true where id = $1', [leader.id]);
    expect((await accept(caseId, school)).status).toBe(200);
    await rejectsInvitedAndSolePeople();

    // A redirect to an organization that cannot answer is refused the same way; the case stays where it is.
    const empty = await createOrg(h, 'МБОУ СОШ № 13');
    const redirect = await a.post(`/api/v1/cases/${caseId}/redirect`, { expectedVersion: 1, organizationId: empty, reason: 'Другая школа' }, moderator.token);
    expect(redirect.status).toBe(409);
    expect(redirect.body.error).toContain('«МБОУ СОШ № 13» не может получать обращения');
    expect((await h.db.query('select organization_id, version from cases where id = $1', [caseId])).rows[0]).toEqual({ organization_id: school, version: 1 });
  });

  /**
   * A leader invited but not yet activated cannot approve anything: not a leader for routing. Nor is one person who is
   * both coordinator and leader: ПОС asks for at least two people.
   */
  async function rejectsInvitedAndSolePeople() {
    const org = await createOrg(h, 'МБОУ СОШ № 14');
    await createUser(h, 'school14-coordinator', [['coordinator', org]]);
    const invited = await a.post('/api/v1/users', { login: 'school14-leader', displayName: 'Руководитель Школы 14',
      roles: [{ role: 'leader', organizationId: org }] }, admin);
    expect(invited.body).toMatchObject({ active: true, activated: false });
    const caseId = await registerThroughQueue(h, buildClassified());
    const refused = await accept(caseId, org);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/^Организация «МБОУ СОШ № 14» не может получать обращения: в ней нет активного руководителя\./);
    const token = (invited.body.invitation.url as string).split('/').at(-1)!;
    expect((await a.post(`/api/v1/invitations/${token}/accept`, { password: 'school14-long-password' })).status).toBe(200);
    expect((await accept(caseId, org)).status).toBe(200);

    // One person both coordinator and leader, nobody else: refused, and the automatic route passes it by.
    const solo = await createOrg(h, 'МБОУ СОШ № 15');
    await createUser(h, 'school15-both', [['coordinator', solo], ['leader', solo]]);
    const one = await a.post(`/api/v1/cases/${caseId}/redirect`, { expectedVersion: 1, organizationId: solo, reason: 'Другая школа' }, moderator.token);
    expect(one.status).toBe(409);
    expect(one.body.error).toBe('Организация «МБОУ СОШ № 15» не может получать обращения: координатор и руководитель в ней — один и тот же человек. '
      + 'ПОС требует назначить ответственных (минимум два человека, включая руководителя): назначьте роли в организации или выберите другую.');
    // A second person, the leader, makes two.
    await createUser(h, 'school15-leader', [['leader', solo]]);
    const ok = await a.post(`/api/v1/cases/${caseId}/redirect`, { expectedVersion: 1, organizationId: solo, reason: 'Другая школа' }, moderator.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  }

  it('never routes automatically to a coordinating organization that cannot answer: a person must choose, told why', async () => {
    const centre = await createOrg(h, 'Центр управления регионом');
    await h.db.query('update organizations set code = $2 where id = $1', [centre, 'region-coordination']);
    await createUser(h, 'centre-coordinator', [['coordinator', centre]]);
    expect((await a.send('PATCH', '/api/v1/routing/settings', { coordinatingOrganization: 'region-coordination' }, admin)).status).toBe(200);
    const caseId = await registerThroughQueue(h, buildClassified());
    const r = await accept(caseId);
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('координирующая организация региона «Центр управления регионом» не может его принять (в ней нет активного руководителя)');
    await createUser(h, 'centre-leader', [['leader', centre]]);
    expect((await accept(caseId)).status).toBe(200);
    expect((await h.db.query('select organization_id from cases where id = $1', [caseId])).rows[0].organization_id).toBe(centre);
  });

  it('makes a staff card without a password and activates it through a one-time link sent to its e-mail', async () => {
    const org = await createOrg(h, 'Администрация Кировского района');
    const created = await a.post('/api/v1/users', { login: 'ivanova', displayName: 'Иванова Мария Петровна', position: 'Главный специалист',
      phone: '8 (913) 123-45-67', email: 'M.Ivanova@Krsk.example', roles: [{ role: 'coordinator', organizationId: org }] }, admin);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ login: 'ivanova', displayName: 'Иванова Мария Петровна', position: 'Главный специалист', phone: '+79131234567',
      email: 'm.ivanova@krsk.example', active: true, activated: false,
      invitation: { url: expect.stringMatching(new RegExp(`^${HARNESS_PUBLIC_URL}/invite/[A-Za-z0-9_-]{43}$`)), expiresAt: '2026-11-23T03:00:00.000Z',
        emailed: true } });
    const url = created.body.invitation.url as string;
    const token = url.split('/').at(-1)!;
    // Only a hash is stored; the link went to the card's e-mail.
    expect((await h.db.query('select count(*)::int as n from staff_invitations where token_hash = $1', [token])).rows[0].n).toBe(0);
    const letter = (await staffMail(h, 'invitation', 'm.ivanova@krsk.example')).at(-1)!;
    expect(letter).toMatchObject({ channel: 'email', subject: 'Отклик: приглашение активировать учётную запись',
      links: [{ title: 'Активировать учётную запись', url }] });
    expect(letter.text).toContain('Ссылка действует до 23.11.2026, 10:00');
    // No password yet: nobody can log in as the new user.
    expect((await a.post('/api/v1/auth/login', { login: 'ivanova', password: 'anything-at-all' })).status).toBe(401);

    expect((await a.get(`/api/v1/invitations/${token}`)).body).toEqual({ login: 'ivanova', displayName: 'Иванова Мария Петровна',
      expiresAt: '2026-11-23T03:00:00.000Z' });
    expect((await a.post(`/api/v1/invitations/${token}/accept`, { password: 'short' })).status).toBe(400);
    expect((await a.post(`/api/v1/invitations/${token}/accept`, { password: 'a-new-long-password' })).body).toEqual({ ok: true, login: 'ivanova' });
    expect((await a.post('/api/v1/auth/login', { login: 'ivanova', password: 'a-new-long-password' })).status).toBe(200);
    // The link works once.
    const again = await a.post(`/api/v1/invitations/${token}/accept`, { password: 'another-long-password' });
    expect(again).toEqual({ status: 404, body: { error: 'the invitation link has been used already: log in with your password' } });
    expect((await a.get(`/api/v1/users/${created.body.id}`, admin)).body).toMatchObject({ activated: true });
    expect((await a.post(`/api/v1/users/${created.body.id}/invitation`, undefined, admin)).status).toBe(409);
  });

  it('lets an invitation expire, and a new one replace it; without an e-mail the link is handed over by whoever invited', async () => {
    h.clock.set(T0);
    const org = await createOrg(h, 'Администрация Ленинского района');
    const created = await a.post('/api/v1/users', { login: 'petrov', displayName: 'Петров Иван', roles: [{ role: 'executor', organizationId: org }] }, admin);
    expect(created.body.invitation).toMatchObject({ emailed: false });
    const first = (created.body.invitation.url as string).split('/').at(-1)!;
    h.clock.set('2026-11-23T03:00:01.000Z');
    expect((await a.get(`/api/v1/invitations/${first}`)).body).toEqual({ error: 'the invitation link has expired: ask your administrator for a new one' });
    const renewed = await a.post(`/api/v1/users/${created.body.id}/invitation`, undefined, admin);
    expect(renewed.status).toBe(201);
    const second = (renewed.body.url as string).split('/').at(-1)!;
    expect((await a.get(`/api/v1/invitations/${second}`)).status).toBe(200);
    expect((await a.get('/api/v1/invitations/not-a-real-invitation-token-at-all')).status).toBe(404);
    expect((await a.post(`/api/v1/invitations/${second}/accept`, { password: 'petrov-long-password' })).status).toBe(200);
    h.clock.set(T0);
  });

  it('keeps the history of role and card changes, naming the fields changed but not their values', async () => {
    const org = await createOrg(h, 'Администрация Советского района');
    const created = await a.post('/api/v1/users', { login: 'sidorov', password: 'sidorov-long-password', displayName: 'Сидоров Пётр',
      roles: [{ role: 'executor', organizationId: org }] }, admin);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ activated: true });
    expect((await a.send('PATCH', `/api/v1/users/${id}`, { phone: '+7 913 000-00-01', position: 'Специалист' }, admin)).body).toMatchObject({
      phone: '+79130000001',
    });
    expect((await a.send('PATCH', `/api/v1/users/${id}`, { phone: 'позвоните мне' }, admin)).status).toBe(400);
    expect((await a.send('PUT', `/api/v1/users/${id}/roles`, { organizationId: org, roles: ['executor', 'coordinator'] }, admin)).status).toBe(200);
    expect((await a.send('PATCH', `/api/v1/users/${id}`, { active: false }, admin)).status).toBe(200);
    const history = (await a.get(`/api/v1/users/${id}/history`, admin)).body.items as { change: string; data: Record<string, unknown>; actorName: string;
      organizationName: string | null }[];
    expect(history.map((e) => e.change)).toEqual(['deactivated', 'roles', 'profile', 'created']);
    expect(history[1]).toMatchObject({ data: { from: ['executor'], to: ['coordinator', 'executor'] }, organizationName: 'Администрация Советского района',
      actorName: 'Администратор' });
    expect(history[2]!.data).toEqual({ fields: ['position', 'phone'] });
    // The phone set above, as given or as stored (a bare '913' also turns up inside a random UUID now and then).
    for (const phone of ['79130000001', '913 000-00-01']) expect(JSON.stringify(history)).not.toContain(phone);
    const orgHistory = (await a.get(`/api/v1/organizations/${org}/staff-history`, admin)).body.items as { userId: string; change: string }[];
    expect(orgHistory.filter((e) => e.userId === id).map((e) => e.change)).toEqual(['roles', 'created']);
    // Staff of another organization see neither the card nor its history.
    const stranger = await createUser(h, 'stranger', [['coordinator', await createOrg(h, 'Чужая организация')]]);
    expect((await a.get(`/api/v1/users/${id}`, stranger.token)).status).toBe(403);
    expect((await a.get(`/api/v1/users/${id}/history`, stranger.token)).status).toBe(403);
    expect((await a.get(`/api/v1/organizations/${org}/staff-history`, stranger.token)).status).toBe(403);
  });
});
