import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterPath, openDeployment, recordedCluster, STORES_FILE } from './deployment.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-deployment-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('openDeployment', () => {
  it('creates an owner-only data dir and stores.json with distinct ports and generated passwords', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const { record, file } = await openDeployment(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(record.redis.port).not.toBe(record.postgres.port);
    expect(record.redis.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(record.postgres.password).not.toBe(record.redis.password);
    expect(record.postgres.legacyPassword).toBeUndefined();
  });

  it('gives processes starting together one and the same record', async () => {
    const dataDir = tempDir();
    const opened = await Promise.all(Array.from({ length: 8 }, () => openDeployment(dataDir)));
    expect(new Set(opened.map((d) => JSON.stringify(d.record))).size).toBe(1);
    expect(fs.readdirSync(dataDir)).toEqual([STORES_FILE]);
  });

  it('tightens a data dir and stores.json left readable, and picks a port again when one was deleted', async () => {
    const dataDir = tempDir();
    const first = await openDeployment(dataDir);
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(first.file, 0o644);
    first.update((r) => delete r.redis.port);
    const again = await openDeployment(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(first.file)).toBe(0o600);
    expect(again.record.redis.port).toBeGreaterThan(0);
    expect(again.record.redis.password).toBe(first.record.redis.password);
  });

  it('adopts a cluster an earlier version left in the data dir, marked for a password rotation', async () => {
    const dataDir = tempDir();
    fs.mkdirSync(path.join(dataDir, 'postgres'), { mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, 'postgres', 'PG_VERSION'), '18\n');
    const deployment = await openDeployment(dataDir);
    expect(deployment.record.postgres).toMatchObject({ cluster: 'postgres', legacyPassword: true });
    expect(clusterPath(deployment)).toBe(path.join(dataDir, 'postgres'));
  });

  it('records a cluster inside the data dir relative to it, so the data dir can move', async () => {
    const root = tempDir();
    const before = path.join(root, 'before');
    const deployment = await openDeployment(before);
    deployment.update((r) => (r.postgres.cluster = recordedCluster(before, path.join(before, 'postgres'))));
    expect(recordedCluster(before, '/var/lib/otklik/x/data')).toBe('/var/lib/otklik/x/data');
    const after = path.join(root, 'after');
    fs.renameSync(before, after);
    expect(clusterPath(await openDeployment(after))).toBe(path.join(after, 'postgres'));
  });

  it('refuses a damaged stores.json with what to do', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, STORES_FILE), JSON.stringify({ version: 1, deploymentId: 'x', redis: {}, postgres: {} }), { mode: 0o600 });
    await expect(openDeployment(dataDir)).rejects.toThrow(/stores\.json is damaged .*restore it from a backup/);
  });
});
