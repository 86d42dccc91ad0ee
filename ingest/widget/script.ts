import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientBundles } from '../../lib/client-bundles.js';

export { WIDGET_CATEGORIES } from './categories.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client', 'widget.ts');

/**
 * widget.js (client/widget.ts), bundled when first asked for and kept for the process. ES2017, because sites embed
 * it in pages that older browsers open; UTF-8, because it is served with charset=utf-8 and its text is Russian.
 */
export async function widgetScript(): Promise<string> {
  return (await clientBundles.bundle({ entries: { widget: entry }, target: 'es2017', charset: 'utf8' })).get('widget.js')!;
}
