import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createClientBundler } from '../../lib/client-bundles.js';
import { WIDGET_CATEGORIES } from './categories.js';
import { widgetScript } from './script.js';

/**
 * Whether `code` holds syntax newer than ES2017: esbuild, which knows which ES version brought each construct, finds
 * something to rewrite when asked to lower it to ES2017. (Library functions are another matter: client/tsconfig.json
 * types the widget against the ES2017 library.)
 */
async function newerThanEs2017(code: string): Promise<boolean> {
  const [asIs, lowered] = await Promise.all([
    transform(code, { target: 'esnext', charset: 'utf8' }),
    transform(code, { target: 'es2017', charset: 'utf8' }),
  ]);
  return asIs.code !== lowered.code;
}

describe('widget.js', () => {
  it('the ES2017 check tells newer syntax from ES2017', async () => {
    const newer = ['a?.b', 'a ?? b', 'x = { ...a }', 'try { f() } catch { g() }', 'x = /(?<year>\\d{4})/', 'x = /./s', 'class A { x = 1 }',
      'async function f() { for await (const x of y) g(x) }', 'a ||= b', 'x = 10n'];
    for (const snippet of newer) expect(await newerThanEs2017(snippet), snippet).toBe(true);
    const es2017 = ['async function f() { await g(); return 2 ** 3 }', 'const { a, b } = o; let s = `${a}-${b}`',
      'class A extends B { constructor() { super(); this.x = [...y] } }', 'x = Object.entries(o).map(([k, v]) => k + v)'];
    for (const snippet of es2017) expect(await newerThanEs2017(snippet), snippet).toBe(false);
  });

  it('is ES2017, though its source uses newer syntax', async () => {
    expect(await newerThanEs2017(await widgetScript())).toBe(false);
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client', 'widget.ts');
    const forNewBrowsers = await createClientBundler().bundle({ entries: { widget: entry }, target: 'es2020', charset: 'utf8' });
    expect(await newerThanEs2017(forNewBrowsers.get('widget.js')!)).toBe(true);
  });

  it('is one self-contained script, with its Russian text as is and every category the server accepts', async () => {
    const script = await widgetScript();
    expect(script).not.toMatch(/\bimport\s*[{*("']|\brequire\(|\bexport\s/);
    expect(script).toContain('Сообщить о проблеме');
    for (const category of WIDGET_CATEGORIES) expect(script).toContain(JSON.stringify(category));
    expect(await widgetScript()).toBe(script);
  });
});
