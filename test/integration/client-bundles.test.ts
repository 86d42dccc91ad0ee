import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardScripts } from '../../dashboard/client-scripts.js';
import { clientBundles } from '../../lib/client-bundles.js';
import type { Otklik } from '../../main.js';
import { startTestSystem } from '../support.js';

// One test file is one process, so the process's bundler has seen only this system.
describe('browser scripts of a whole system', () => {
  let system: Otklik;
  let atStart: ReturnType<typeof clientBundles.stats>;
  beforeAll(async () => {
    expect(clientBundles.stats()).toEqual({ builds: 0, clients: 0 });
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: 'https://krasnoyarsk.example' });
    atStart = clientBundles.stats();
  });
  afterAll(async () => {
    await system?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${system.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), body: await res.text() };
  };

  it('are built once per process: the page scripts in one build at start, widget.js in another when first asked for', async () => {
    const dashboard = await dashboardScripts();
    expect(dashboard.size).toBeGreaterThan(5);
    expect(atStart).toEqual({ builds: 1, clients: dashboard.size });

    for (const [name, script] of dashboard) {
      expect(await get(`/assets/js/${name}`), name).toMatchObject({ status: 200, type: expect.stringMatching(/javascript/), body: script });
    }
    for (const name of ['poll.js', 'poll-results.js']) expect((await get(`/polls-assets/${name}`)).body).toBe(dashboard.get(name));
    expect((await get('/polls-assets/home.js')).status).toBe(404);

    const [first, concurrent] = await Promise.all([get('/widget.js'), get('/widget.js')]);
    const later = await get('/widget.js');
    expect(first).toMatchObject({ status: 200, type: 'application/javascript; charset=utf-8', cache: 'public, max-age=300' });
    expect(first.body).toContain('Сообщить о проблеме');
    expect([concurrent.body, later.body]).toEqual([first.body, first.body]);

    expect(clientBundles.stats()).toEqual({ builds: 2, clients: dashboard.size + 1 });
  });
});
