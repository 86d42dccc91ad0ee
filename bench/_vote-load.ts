/**
 * The vote storm's load generator, forked by bench/votes.ts into its own process so that sending requests and
 * timing answers neither competes with the server's event loop nor is delayed by it (latencies measured inside the
 * server process include its own stalls twice). Talks to the parent over IPC: one `storm` message in, one
 * `result` message out.
 */
import net from 'node:net';
import { percentile } from './_timing.js';

export interface StormPlan {
  url: string;
  questionId: string;
  optionIds: string[];
  /** One fresh verified voter per token. */
  tokens: string[];
  rate: number;
  seconds: number;
  /** Every n-th request repeats a voter who already voted, through the other channel: it must be refused. */
  duplicateEvery: number;
  /** The storm stops sending when this many seconds of requests wait for answers: the server fell behind. */
  maxBacklogSeconds: number;
  /** After the last request, answers still missing after this long count as failed. */
  drainMs: number;
}

export interface StormResult {
  sent: number;
  /** 201: the vote is stored. */
  accepted: number;
  /** 409 (a second vote of the same person, or a closed poll) and 429 (rate limit): a legitimate no. */
  refused: number;
  /** Errors, timeouts, 5xx and any other answer. */
  failed: number;
  statuses: Record<string, number>;
  duplicatesSent: number;
  freshSent: number;
  /** Seconds from the first request to the last one sent, and to the last answer. */
  sendSeconds: number;
  elapsedSeconds: number;
  /** How late the last request left against its schedule, in ms. */
  finalLagMs: number;
  drained: boolean;
  gaveUp: string;
  /** CPU this generator process used (user + system). */
  cpuSeconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p99 of the requests sent in the first FIRST_SECONDS (cold: JIT, connections, caches) and of the rest. */
  p99First: number;
  p99Rest: number;
}

/** Where the storm's first seconds end: a freshly started server answers them slower (bench votes prints both). */
export const FIRST_SECONDS = 5;
const MAX_CONNECTIONS = 256;
const WARM_CONNECTIONS = 128;

/**
 * A bare HTTP/1.1 keep-alive client: node's http client costs the generator about as much CPU per request as the
 * vote costs the server, and on two shared cores that CPU is taken from the server. One request at a time per
 * connection (no pipelining), like browsers; requests wait in a queue when every connection is busy.
 */
function createClient(url: URL, maxConnections: number) {
  interface Pending {
    head: Buffer;
    body: Buffer;
    resolve(status: number): void;
    reject(err: Error): void;
  }
  interface Conn {
    socket: net.Socket;
    current?: Pending;
    buf: Buffer;
    idleSince?: number;
  }
  // Node's server closes a keep-alive connection idle for 5 s; a request written onto it as it closes is lost
  // (ECONNRESET), so, like undici, the client retires connections idle for nearly that long instead of reusing them.
  const MAX_IDLE_MS = 4000;
  const queue: Pending[] = [];
  const idle: Conn[] = [];
  const all = new Set<Conn>();
  const port = Number(url.port || 80);

  const send = (c: Conn, p: Pending) => {
    c.current = p;
    c.socket.cork();
    c.socket.write(p.head);
    c.socket.write(p.body);
    c.socket.uncork();
  };
  const next = (c: Conn) => {
    c.current = undefined;
    const p = queue.shift();
    if (p) send(c, p);
    else {
      c.idleSince = performance.now();
      idle.push(c);
    }
  };
  const open = (first?: Pending): Conn => {
    const c: Conn = { socket: net.connect(port, url.hostname), buf: Buffer.alloc(0) };
    c.socket.setNoDelay(true);
    all.add(c);
    c.socket.on('data', (chunk: Buffer) => {
      c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
      for (;;) {
        const end = c.buf.indexOf('\r\n\r\n');
        if (end < 0 || !c.current) return;
        const head = c.buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (c.buf.length < end + 4 + length) return;
        c.buf = c.buf.subarray(end + 4 + length);
        const p = c.current;
        p.resolve(Number(head.slice(9, 12)));
        next(c);
      }
    });
    const fail = (err: Error) => {
      all.delete(c);
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      c.current?.reject(err);
      c.current = undefined;
    };
    c.socket.on('error', fail);
    c.socket.on('close', () => fail(new Error('connection closed')));
    if (first) send(c, first);
    return c;
  };
  return {
    /** Opens `n` connections before any request, as a reverse proxy's pool of upstream keep-alive connections is. */
    async warm(n: number): Promise<void> {
      await Promise.all(Array.from({ length: Math.min(n, maxConnections) }, () =>
        new Promise<void>((resolve, reject) => {
          const c = open();
          c.socket.once('connect', () => {
            next(c);
            resolve();
          });
          c.socket.once('error', reject);
        })));
    },
    post(path: string, body: string, token: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const b = Buffer.from(body);
        const head = Buffer.from(
          `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\nx-voter-token: ${token}\r\n\r\n`,
          'latin1',
        );
        const p: Pending = { head, body: b, resolve, reject };
        let c = idle.pop();
        while (c && performance.now() - c.idleSince! > MAX_IDLE_MS) {
          all.delete(c);
          c.socket.destroy();
          c = idle.pop();
        }
        if (c) send(c, p);
        else if (all.size < maxConnections) open(p);
        else queue.push(p);
      });
    },
    destroy() {
      for (const c of all) c.socket.destroy();
      for (const p of queue.splice(0)) p.reject(new Error('not sent'));
    },
  };
}

export async function storm(plan: StormPlan): Promise<StormResult> {
  const url = new URL(plan.url);
  // Keep-alive connections: a storm of fresh TCP connections would measure the kernel, not the vote path.
  const client = createClient(url, MAX_CONNECTIONS);
  // Behind a balancer the server meets a warm pool of keep-alive connections, not a storm of new ones; opening them
  // in the storm's first second measured TCP setup (requests of the first 0.2 s waited up to 1.6 s) instead of votes.
  await client.warm(WARM_CONNECTIONS);
  const total = plan.rate * plan.seconds;
  const latencies: number[] = [];
  const first: number[] = [];
  const rest: number[] = [];
  const statuses: Record<string, number> = {};
  const r = { accepted: 0, refused: 0, failed: 0, duplicatesSent: 0, freshSent: 0 };
  const channelOf: ('widget' | 'page')[] = [];
  let used = 0;
  let sent = 0;
  let gaveUp = '';
  let finalLagMs = 0;
  const inflight = new Set<Promise<void>>();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Open loop: request i is due at i / rate; when the server lags, requests queue rather than slow the sender.
    const due = started + (i * 1000) / plan.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((res) => setTimeout(res, wait));
    if (inflight.size > plan.rate * plan.maxBacklogSeconds) {
      gaveUp = `backlog of ${inflight.size} requests after ${Math.round((performance.now() - started) / 1000)} s`;
      break;
    }
    const duplicate = i % plan.duplicateEvery === plan.duplicateEvery - 1 && used > 0;
    if (!duplicate && used >= plan.tokens.length) break;
    // A double vote comes from a voter of the last few seconds (often still in flight) through the other channel.
    const k = duplicate ? Math.max(0, used - 1 - Math.floor(Math.random() * Math.min(used, plan.rate * 2))) : used++;
    const channel = duplicate ? (channelOf[k] === 'widget' ? 'page' : 'widget') : (channelOf[k] = i % 2 ? 'widget' : 'page');
    if (duplicate) r.duplicatesSent++;
    else r.freshSent++;
    const body = JSON.stringify({ answers: [{ questionId: plan.questionId, optionIds: [plan.optionIds[i % plan.optionIds.length]] }], channel });
    const t0 = performance.now();
    const p = client.post(url.pathname, body, plan.tokens[k]!).then((status) => {
      const ms = performance.now() - t0;
      latencies.push(ms);
      (t0 - started < FIRST_SECONDS * 1000 ? first : rest).push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 201) r.accepted++;
      else if (status === 409 || status === 429) r.refused++;
      else r.failed++;
    }, (err: Error) => {
      statuses[err.message.slice(0, 40)] = (statuses[err.message.slice(0, 40)] ?? 0) + 1;
      r.failed++;
    }).finally(() => inflight.delete(p));
    inflight.add(p);
    sent++;
    finalLagMs = performance.now() - due;
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const drained = await Promise.race([
    Promise.all(inflight).then(() => true),
    new Promise<boolean>((res) => setTimeout(() => res(false), plan.drainMs).unref()),
  ]);
  const elapsedSeconds = (performance.now() - started) / 1000;
  // Unanswered requests are torn down and count as failed; a vote they stored still shows in the database.
  client.destroy();
  if (!drained) await Promise.race([Promise.allSettled([...inflight]), new Promise((res) => setTimeout(res, 2000).unref())]);
  for (const list of [latencies, first, rest]) list.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpu0);
  return {
    sent,
    ...r,
    statuses,
    sendSeconds,
    elapsedSeconds,
    finalLagMs,
    drained,
    gaveUp,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    p99First: percentile(first, 99),
    p99Rest: percentile(rest, 99),
  };
}

if (process.send) {
  process.once('message', (msg: { storm: StormPlan }) => {
    storm(msg.storm).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
    );
  });
}
