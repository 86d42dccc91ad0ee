import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientBundles } from '../../lib/client-bundles.js';

export { WIDGET_CATEGORIES } from './categories.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client', 'widget.ts');

/**
 * widget.js (client/widget.ts), bundled when first asked for and kept for the process. ES2017, because sites embed
 * it in pages that older browsers open; UTF-8, because it is served with charset=utf-8 and its text is Russian.
 */
export async function widgetScript(timeZone?: string): Promise<string> {
  const script = (await clientBundles.bundle({ entries: { widget: entry }, target: 'es2017', charset: 'utf8' })).get('widget.js')!;
  // The region's zone for the poll's dates (client/poll-form.ts); IANA names only, so nothing else enters the script.
  return timeZone && IANA_ZONE.test(timeZone) ? script.split(ZONE_MARKER).join(timeZone) : script;
}

const ZONE_MARKER = '__OTKLIK_REGION_TIME_ZONE__';
const IANA_ZONE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;
