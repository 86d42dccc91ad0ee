/**
 * What a data directory owns in embedded mode: `<dataDir>/stores.json` (owner-only) records where this deployment's
 * Redis and PostgreSQL listen and the passwords generated for them. Every process of the deployment finds its stores
 * there; a store answering on a recorded port is used only after it proved it serves this data dir.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { freePort } from './processes.js';

export const STORES_FILE = 'stores.json';
/** The password every embedded cluster got before passwords were generated; rotated at the first start since. */
export const LEGACY_POSTGRES_PASSWORD = 'otklik-embedded';

const port = z.number().int().min(1).max(65535);
const secret = z.string().regex(/^[A-Za-z0-9_-]{24,}$/, 'a generated password (24+ URL-safe characters)');

const storesSchema = z.object({
  version: z.literal(1),
  deploymentId: z.uuid(),
  redis: z.object({ port: port.optional(), password: secret }),
  postgres: z.object({
    port: port.optional(),
    password: secret,
    /**
     * The cluster directory, decided at its first start: relative to the data dir when inside it (so the data dir can
     * be moved), absolute when outside (as root it lives under the system dir).
     */
    cluster: z.string().optional(),
    /** The cluster was created before passwords were generated and still has the old fixed one. */
    legacyPassword: z.boolean().optional(),
  }),
});

export type StoresRecord = z.infer<typeof storesSchema>;

export interface Deployment {
  dataDir: string;
  file: string;
  record: StoresRecord;
  /** Re-reads the file, applies the change and writes it back atomically (another process may have written it). */
  update(change: (record: StoresRecord) => void): StoresRecord;
}

/** A store answered where this deployment's should be, but it is not this deployment's: never used. */
export class ForeignStoreError extends Error {
  constructor(store: string, dataDir: string, why: string, remedy: string) {
    super(`${store} is not this deployment's store (data dir ${dataDir}): ${why}. Otklik never uses a store it did not start for its data dir. ${remedy}`);
    this.name = 'ForeignStoreError';
  }
}

export const generatePassword = () => randomBytes(24).toString('base64url');

const isRoot = () => process.getuid?.() === 0;

/**
 * Opens the deployment of a data dir, creating the data dir (owner-only) and its stores.json at the first start.
 * Two processes starting together create the file once: it is linked into place, which fails for the second.
 */
export async function openDeployment(dataDirInput: string): Promise<Deployment> {
  const dataDir = path.resolve(dataDirInput);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, STORES_FILE);
  if (!fs.existsSync(file)) await createRecord(dataDir, file);
  const deployment: Deployment = {
    dataDir,
    file,
    record: readRecord(file),
    update(change) {
      const record = readRecord(file);
      change(record);
      writeRecord(file, record);
      deployment.record = record;
      return record;
    },
  };
  restrictFile(file);
  protectDataDir(deployment);
  if (deployment.record.redis.port === undefined || deployment.record.postgres.port === undefined) {
    const [redisPort, postgresPort] = await twoFreePorts();
    deployment.update((r) => {
      r.redis.port ??= redisPort;
      r.postgres.port ??= postgresPort;
    });
  }
  return deployment;
}

async function createRecord(dataDir: string, file: string): Promise<void> {
  const [redisPort, postgresPort] = await twoFreePorts();
  const legacyCluster = path.join(dataDir, 'postgres');
  const legacy = fs.existsSync(path.join(legacyCluster, 'PG_VERSION'));
  const record: StoresRecord = {
    version: 1,
    deploymentId: randomUUID(),
    redis: { port: redisPort, password: generatePassword() },
    // A cluster made before stores.json existed stays where it is and gets its password rotated at its first start.
    postgres: { port: postgresPort, password: generatePassword(), ...(legacy ? { cluster: 'postgres', legacyPassword: true } : {}) },
  };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readRecord(file: string): StoresRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const parsed = storesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${file} is damaged (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); restore it from a backup of the data dir`,
    );
  }
  return parsed.data;
}

function writeRecord(file: string, record: StoresRecord): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

function ownedByMe(stat: fs.Stats): boolean {
  return process.getuid === undefined || stat.uid === process.getuid();
}

function restrictFile(file: string): void {
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0 && ownedByMe(stat)) fs.chmodSync(file, 0o600);
}

/**
 * The data dir holds citizens' data: owner-only. The one exception is a cluster an earlier version put inside the
 * data dir while running as root: PostgreSQL runs as another user there and must still pass through (0711).
 */
function protectDataDir(deployment: Deployment): void {
  const stat = fs.statSync(deployment.dataDir);
  if (!ownedByMe(stat)) return;
  const cluster = clusterPath(deployment);
  const clusterInside = cluster !== undefined && isInside(cluster, deployment.dataDir);
  const foreignOwner = clusterInside && fs.existsSync(cluster) && !ownedByMe(fs.statSync(cluster));
  const mode = foreignOwner ? 0o711 : 0o700;
  if ((stat.mode & 0o777) !== mode) fs.chmodSync(deployment.dataDir, mode);
}

/** The recorded cluster directory as an absolute path, if one was recorded. */
export function clusterPath(deployment: Deployment): string | undefined {
  const recorded = deployment.record.postgres.cluster;
  return recorded === undefined ? undefined : path.resolve(deployment.dataDir, recorded);
}

/** How a cluster directory is recorded: relative when inside the data dir. */
export function recordedCluster(dataDir: string, cluster: string): string {
  return isInside(cluster, dataDir) ? path.relative(dataDir, cluster) : cluster;
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function twoFreePorts(): Promise<[number, number]> {
  const a = await freePort();
  for (;;) {
    const b = await freePort();
    if (b !== a) return [a, b];
  }
}

/** Makes a directory of this deployment owner-only, whether it is new or was left readable by an earlier version. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if ((stat.mode & 0o077) !== 0 && ownedByMe(stat)) fs.chmodSync(dir, 0o700);
}

/** Real path when it exists (the servers report resolved paths), else the absolute path. */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export { isRoot };
