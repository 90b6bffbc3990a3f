import { createServer, connect, type Socket } from 'node:net';

/** What the proxy does to one connection; after the listed faults it forwards plainly. */
export type Fault =
  /** Forwards the request to the server, then cuts the connection when the answer starts: the reply is lost. */
  | 'drop-response'
  /** Answers 503 with `Retry-After` itself, without forwarding. */
  | { status: 503 | 429; retryAfter?: string }
  /** Forwards, but cuts the connection after this many bytes of the answer. */
  | { cutAfterBytes: number };

export interface FaultProxy {
  url: string;
  /** Connections accepted so far. */
  connections: () => number;
  /** Queues faults for the next new connections. */
  inject(...faults: Fault[]): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server that injects faults, one per new connection, in order. The server's public
 * URL should be the proxy's (clients sign the URL they address). It never answers
 * for the server except with the injected 5xx/429; every request it forwards is handled by the real server.
 */
export async function startFaultProxy(target: () => string): Promise<FaultProxy> {
  const queue: Fault[] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((client) => {
    count++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const fault = queue.shift();
    if (fault !== undefined && typeof fault === 'object' && 'status' in fault) {
      client.once('data', () => {
        const reason = fault.status === 503 ? 'Service Unavailable' : 'Too Many Requests';
        const retry = fault.retryAfter === undefined ? '' : `Retry-After: ${fault.retryAfter}\r\n`;
        const body = JSON.stringify({ code: 'INJECTED', status: fault.status });
        client.end(`HTTP/1.1 ${fault.status} ${reason}\r\n${retry}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      });
      return;
    }
    const t = new URL(target());
    const upstream = connect(Number(t.port), t.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    if (fault === 'drop-response') {
      upstream.once('data', () => {
        client.destroy();
        upstream.destroy();
      });
    } else if (fault !== undefined) {
      let left = fault.cutAfterBytes;
      upstream.on('data', (d: Buffer) => {
        if (left <= 0) return;
        client.write(d.subarray(0, left));
        left -= d.length;
        if (left <= 0) {
          client.destroy();
          upstream.destroy();
        }
      });
    } else {
      upstream.pipe(client);
    }
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    inject: (...f) => void queue.push(...f),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
