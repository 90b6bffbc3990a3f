// The ingestion bench's load generator: HTTP/1.1 keep-alive over raw sockets (node:net), one request in flight per
// connection (as autocannon runs by default), replaying requests prepared before the measured window.
//
// Why not autocannon: its per-request work (setupRequest, rebuilding the raw request, its parser and histograms)
// costs tens of µs of client CPU per request; with signing on top the generator saturated its core at about half
// the bare server's plain figure (issue 12). Here each request is a prepared header block plus the shared body,
// written with one writev; a response is parsed just far enough to find its status and its end. What the generator
// spends is measured (process.cpuUsage over the window, as % of one core) and a case is INVALID when it was
// saturated, so a figure limited by the client is never reported as the server's.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Above this share of one core the load generator is taken as saturated and the case INVALID. */
export const LOADGEN_SATURATED_PCT = 90;

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * A pool of prepared requests, each sent once: `heads[i]` is the request line and header block (ending in a blank
 * line) sent before `body`. A pool of one head with `reuse` repeats it (the plain request, identical every time).
 */
export function requestPool(heads, body, { reuse = false } = {}) {
  let i = 0;
  return {
    size: heads.length,
    body,
    next: () => (reuse ? heads[0] : i < heads.length ? heads[i++] : undefined),
    get used() { return reuse ? 0 : i; },
  };
}

/** The request line and headers (name: value pairs) as the bytes sent, with Content-Length of `bodyLength`. */
export function requestHead(method, path, headers, bodyLength) {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
  return Buffer.from(`${s}content-length: ${bodyLength}\r\n\r\n`, 'latin1');
}

/** Reads the status code and the end of one response in `buf` from `at`; undefined while it is incomplete. */
function parseResponse(buf, at) {
  const headEnd = buf.indexOf(CRLF2, at);
  if (headEnd === -1) return undefined;
  const status = (buf[at + 9] - 48) * 100 + (buf[at + 10] - 48) * 10 + (buf[at + 11] - 48);
  const head = buf.toString('latin1', at, headEnd).toLowerCase();
  const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (cl) {
    const end = headEnd + 4 + Number(cl[1]);
    return end <= buf.length ? { status, end } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', headEnd + 2);
    return last === -1 ? undefined : { status, end: last + 7 };
  }
  return { status, end: headEnd + 4 };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

/**
 * Drives `connections` keep-alive connections to host:port for `durationS` seconds (or until the pool is used up),
 * each sending its next request as soon as the previous response ended. Resolves with the figures of the window:
 * requests answered, req/s, latency p50/p99/max (ms), errors, non-2xx, and the generator's own CPU.
 */
export function runLoad({ host, port, pool, connections, durationS, timeoutMs = 10_000 }) {
  return new Promise((resolve) => {
    const latencies = [];
    let answered = 0;
    let non2xx = 0;
    let errors = 0;
    let exhausted = false;
    let open = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + durationS * 1000;
    let lastEnd = t0;

    const finish = () => {
      const elapsedMs = lastEnd - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuUs = cpu.user + cpu.system;
      latencies.sort((a, b) => a - b);
      const round = (x) => +x.toFixed(1);
      resolve({
        requests: answered, seconds: +(elapsedMs / 1000).toFixed(2), requestsPerS: Math.round((answered * 1000) / Math.max(1, elapsedMs)),
        p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies.at(-1) ?? 0),
        errors, non2xx, poolExhausted: exhausted,
        // The generator's CPU (this process: user + system) over the window, as % of one core, and per request.
        loadGenCpuPct: Math.round((cpuUs / (elapsedMs * 1000)) * 100), loadGenCpuUsPerRequest: +(cpuUs / Math.max(1, answered)).toFixed(1),
      });
    };

    const connect = () => {
      open++;
      const socket = net.connect({ host, port, noDelay: true });
      let buf = Buffer.alloc(0);
      let started = 0;
      let inFlight = false;
      let timer;
      const send = () => {
        const head = performance.now() < deadline ? pool.next() : undefined;
        if (head === undefined) {
          if (performance.now() < deadline) exhausted = true;
          socket.end();
          return;
        }
        inFlight = true;
        started = performance.now();
        socket.cork();
        socket.write(head);
        if (pool.body.length) socket.write(pool.body);
        socket.uncork();
        timer.refresh();
      };
      timer = setTimeout(() => {
        // Counted as an error when the socket closes with the request unanswered.
        if (inFlight) socket.destroy();
      }, timeoutMs);
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          const r = inFlight ? parseResponse(buf, 0) : undefined;
          if (!r) return;
          const now = performance.now();
          latencies.push(now - started);
          lastEnd = now;
          answered++;
          if (r.status < 200 || r.status > 299) non2xx++;
          inFlight = false;
          buf = buf.subarray(r.end);
          send();
        }
      });
      socket.on('error', () => {
        errors++;
      });
      socket.on('close', () => {
        clearTimeout(timer);
        open--;
        if (inFlight) errors++;
        // A connection the server closed early is replaced while the window lasts.
        if (performance.now() < deadline && !exhausted && inFlight) {
          inFlight = false;
          connect();
          return;
        }
        if (open === 0) finish();
      });
    };
    for (let i = 0; i < connections; i++) connect();
  });
}
