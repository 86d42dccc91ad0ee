import http from 'node:http';

export type Fault = 'rate' | 'network' | 'denied';

/** Shared plumbing of the fake network APIs: a loopback server, a call log and injectable faults per method. */
export class FaultPlan {
  private plan = new Map<string, Fault[]>();
  failNext(method: string, fault: Fault, times = 1): void {
    const list = this.plan.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.plan.set(method, list);
  }
  take(method: string): Fault | undefined {
    return this.plan.get(method)?.shift();
  }
}

export async function listenLoopback(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}

export async function closeLoopback(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
