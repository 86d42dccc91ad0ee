import fs from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.js';
import { createClientBundler, type Builder } from './client-bundles.js';

/** Real esbuild, with every build's entry names recorded. */
function countingBuilder(fail = () => false) {
  const builds: string[][] = [];
  const builder: Builder = async (options: BuildOptions) => {
    builds.push(Object.keys(options.entryPoints as Record<string, string>).sort());
    if (fail()) throw new Error('esbuild is down');
    return build(options);
  };
  return { builds, builder };
}

/** Three pages sharing a module, as dashboard/client does. */
function clientSources(): Record<string, string> {
  const dir = tempDir('clients');
  fs.writeFileSync(path.join(dir, '_shared.ts'), 'export const greet = (who?: { name: string }) => `Привет, ${who?.name ?? "гость"}`;\n');
  const entries: Record<string, string> = {};
  for (const page of ['home', 'inbox', 'poll']) {
    entries[page] = path.join(dir, `${page}.ts`);
    fs.writeFileSync(entries[page], `import { greet } from './_shared.js';\ndocument.title = greet() + ' ${page}';\n`);
  }
  return entries;
}

describe('client bundles', () => {
  it('builds all entries of a request in one build, and each client once however often and by whom it is asked for', async () => {
    const { builds, builder } = countingBuilder();
    const bundler = createClientBundler(builder);
    const entries = clientSources();
    const [pages, samePagesAgain] = await Promise.all([
      bundler.bundle({ entries, target: 'es2020' }),
      bundler.bundle({ entries, target: 'es2020' }),
    ]);
    const polls = await bundler.bundle({ entries: { poll: entries.poll! }, target: 'es2020' });
    expect(builds).toEqual([['home', 'inbox', 'poll']]);
    expect([...pages.keys()].sort()).toEqual(['home.js', 'inbox.js', 'poll.js']);
    expect(samePagesAgain).toEqual(pages);
    expect(polls.get('poll.js')).toBe(pages.get('poll.js'));
    expect(pages.get('inbox.js')).toContain('inbox');
    expect(pages.get('inbox.js')).not.toContain('import');
    expect(bundler.stats()).toEqual({ builds: 1, clients: 3 });
  });

  it('builds only what is missing, and a client again for another target', async () => {
    const { builds, builder } = countingBuilder();
    const bundler = createClientBundler(builder);
    const entries = clientSources();
    await bundler.bundle({ entries: { home: entries.home! }, target: 'es2020' });
    const all = await bundler.bundle({ entries, target: 'es2020' });
    const old = await bundler.bundle({ entries: { home: entries.home! }, target: 'es2017', charset: 'utf8' });
    expect(builds).toEqual([['home'], ['inbox', 'poll'], ['home']]);
    expect(all.get('home.js')).toContain('?.');
    expect(old.get('home.js')).not.toContain('?.');
    expect(old.get('home.js')).toContain('Привет');
    expect(all.get('home.js')).not.toContain('Привет'); // esbuild's default charset escapes it
  });

  it('passes a failed build on to the caller and tries again on the next request', async () => {
    let down = true;
    const { builds, builder } = countingBuilder(() => down);
    const bundler = createClientBundler(builder);
    const entries = clientSources();
    await expect(bundler.bundle({ entries, target: 'es2020' })).rejects.toThrow('esbuild is down');
    down = false;
    expect((await bundler.bundle({ entries, target: 'es2020' })).size).toBe(3);
    expect(builds).toHaveLength(2);
  });

  it('reports a compile error with the file it is in', async () => {
    const bundler = createClientBundler((options) => build({ ...options, logLevel: 'silent' }));
    const entries = clientSources();
    fs.writeFileSync(entries.inbox!, 'import { missing } from "./nowhere.js";\nmissing();\n');
    await expect(bundler.bundle({ entries, target: 'es2020' })).rejects.toThrow(/nowhere\.js/);
  });
});
