import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

describe('observability: /metrics and the queue board', () => {
  let system: Otklik;
  beforeAll(async () => {
    system = await startTestSystem({ OTKLIK_METRICS_TOKEN: 'scrape-me' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('exposes Prometheus metrics of jobs, queues and HTTP behind the metrics token', async () => {
    const body = JSON.stringify({ callId: 'metrics-1', receivedAt: new Date().toISOString(), text: 'Не работает уличное освещение на улице Мира' });
    const posted = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    expect(posted.status).toBe(202);
    expect((await fetch(`${system.url}/metrics`)).status).toBe(401);
    const text = await eventually(async () => {
      const res = await fetch(`${system.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
      const t = await res.text();
      return /otklik_jobs_total\{queue="classified",outcome="ok"\} 1/.test(t) ? t : undefined;
    }, 15_000, 'job metrics');
    expect(text).toMatch(/otklik_jobs_total\{queue="incoming",outcome="ok"\} 1/);
    expect(text).toMatch(/otklik_job_duration_seconds_count\{queue="incoming"\} 1/);
    expect(text).toMatch(/otklik_queue_jobs\{queue="incoming",state="failed"\} 0/);
    expect(text).toMatch(/otklik_http_requests_total\{method="POST",route="\/api\/v1\/contact-center\/calls",status="2xx"\} 1/);
    expect(text).toMatch(/otklik_process_resident_memory_bytes/);
    expect(text).toMatch(/otklik_classify_seconds_count 1\n/);
    expect(text).toMatch(/otklik_ingest_total\{source="contact_center",result="received"\} 1\n/);
    expect(text).toMatch(/otklik_deadline_breaches\{fast_track="false"\} 0/);
    // The call card went through the intake's group commit: one batch of one, nothing left waiting.
    expect(text).toMatch(/otklik_group_commit_items\{path="intake",state="pending"\} 0\n/);
    expect(text).toMatch(/otklik_group_commit_mean_batch\{path="intake"\} 1\n/);
    expect(text).toMatch(/otklik_group_commit_items\{path="votes",state="in_flight"\} 0\n/);
  });

  it('reports the open cases past their deadline', async () => {
    const body = JSON.stringify({ callId: 'metrics-overdue', receivedAt: new Date().toISOString(), text: 'Во дворе не вывозят мусор вторую неделю' });
    await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    const caseId = await eventually(async () =>
      (await system.db.query<{ id: string }>(
        `select c.id from cases c join messages m on m.id = c.message_id where m.external_id = 'metrics-overdue'`,
      )).rows[0]?.id, 15_000, 'the case');
    // Its deadline passes (the clock of the database decides, as for the dashboards).
    await system.db.query(`update cases set deadline_at = now() - interval '1 day', fast_track = false where id = $1`, [caseId]);
    const res = await fetch(`${system.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
    expect(await res.text()).toMatch(/otklik_deadline_breaches\{fast_track="false"\} 1\n/);
  });

  it('sends security headers: a strict script policy, no sniffing, no framing', async () => {
    const res = await fetch(`${system.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('lets only a logged-in administrator open the queue board', async () => {
    expect((await fetch(`${system.url}/admin/queues`)).status).toBe(401);
    const token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const res = await fetch(`${system.url}/admin/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });
});
