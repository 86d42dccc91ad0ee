/**
 * Browser scripts written in TypeScript, bundled in memory when first asked for and served from memory: no build
 * step, no files on disk, no CDN. Each client is built once per process however many routers serve it, and one
 * request for several clients is one esbuild build (shared modules are parsed once).
 */
import path from 'node:path';
import { build, type BuildOptions, type OutputFile } from 'esbuild';

export interface ClientGroup {
  /** Script name (served as `<name>.js`) → absolute path of its TypeScript entry module. */
  entries: Record<string, string>;
  /** The oldest JavaScript the pages running these scripts must understand. */
  target: 'es2017' | 'es2020';
  /** 'utf8' keeps Russian text readable (for scripts served with charset=utf-8); esbuild's default escapes it. */
  charset?: 'ascii' | 'utf8';
}

/** esbuild's `build`, or a stand-in wrapping it (tests count builds through one). */
export type Builder = (options: BuildOptions) => Promise<{ outputFiles?: OutputFile[] }>;

export interface ClientBundler {
  /** The group's scripts keyed `<name>.js`; builds, in one esbuild build, only those this process has not built. */
  bundle(group: ClientGroup): Promise<Map<string, string>>;
  /** esbuild builds run and clients built (or building) so far. */
  stats(): { builds: number; clients: number };
}

function scriptNamed(outputs: OutputFile[] | undefined, name: string): string {
  const file = outputs?.find((f) => path.basename(f.path) === `${name}.js`);
  if (!file) throw new Error(`client bundle: esbuild produced no ${name}.js`);
  return file.text;
}

export function createClientBundler(builder: Builder = build): ClientBundler {
  const scripts = new Map<string, Promise<string>>();
  let builds = 0;
  // The same module built for another target or charset is another script.
  const keyOf = (group: ClientGroup, file: string) => `${group.target}|${group.charset ?? 'ascii'}|${path.resolve(file)}`;

  function buildMissing(group: ClientGroup): void {
    const missing = Object.entries(group.entries).filter(([, file]) => !scripts.has(keyOf(group, file)));
    if (!missing.length) return;
    builds++;
    const result = builder({
      entryPoints: Object.fromEntries(missing),
      outdir: 'clients', // names the outputs; nothing is written
      write: false,
      bundle: true,
      format: 'iife',
      target: group.target,
      charset: group.charset,
      minify: true,
    });
    for (const [name, file] of missing) {
      const key = keyOf(group, file);
      const script = result.then((r) => scriptNamed(r.outputFiles, name));
      scripts.set(key, script);
      // A failed build is not remembered: the next request tries again (and gets esbuild's error if it fails again).
      script.catch(() => scripts.get(key) === script && scripts.delete(key));
    }
  }

  return {
    async bundle(group) {
      buildMissing(group);
      const names = Object.entries(group.entries);
      const texts = await Promise.all(names.map(([, file]) => scripts.get(keyOf(group, file))!));
      return new Map(names.map(([name], i) => [`${name}.js`, texts[i]!]));
    },
    stats: () => ({ builds, clients: scripts.size }),
  };
}

/** The process's bundler: every router serving a client script asks this one, so each client is built once. */
export const clientBundles = createClientBundler();
