import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientBundles } from '../lib/client-bundles.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client');

/**
 * The staff and poll pages' scripts, keyed `<name>.js`. Every script in client/ is an entry, so a new page only adds
 * its file (a leading underscore marks a shared module, not an entry). All of them are one build, whichever page
 * family asks first; `only` picks the scripts a router serves.
 */
export async function dashboardScripts(only?: string[]): Promise<Map<string, string>> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'));
  const all = await clientBundles.bundle({ entries: Object.fromEntries(files.map((f) => [f.slice(0, -3), path.join(dir, f)])), target: 'es2020' });
  return only ? new Map([...all].filter(([name]) => only.includes(name))) : all;
}
