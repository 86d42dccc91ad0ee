import { spawn, execFileSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** True when something accepts TCP connections on host:port within the timeout. */
export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Finds an executable on PATH (like `which`), or undefined. */
export function findExecutable(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Servers are started in their own process group, so a Ctrl-C in the terminal reaches Otklik first and
 * Otklik stops them last, after its workers have drained; the server's output goes to a log file.
 */
export function spawnServer(command: string, args: string[], logFile: string, options: SpawnOptions = {}) {
  // Server logs quote queries and keys: owner-only, like the data they come from.
  const out = fs.openSync(logFile, 'a', 0o600);
  try {
    fs.fchmodSync(out, 0o600); // a log an earlier version left readable
  } catch {
    // not ours to change
  }
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  return child;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a running process (Linux /proc), or undefined when unknown. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The last lines of a server's log, to quote in an error about that server. */
export function logTail(file: string, lines = 8): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return text ? `\n--- last lines of ${file} ---\n${text}` : '';
  } catch {
    return '';
  }
}

/** Signals a server started by this process and waits until it is gone. */
export async function stopProcess(pid: number | undefined, signal: NodeJS.Signals, timeoutMs: number, what: string): Promise<void> {
  if (!pid || !processAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  await waitFor(async () => !processAlive(pid), timeoutMs, what).catch(() => {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  });
}
