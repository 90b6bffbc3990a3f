// Types of bench/load.mjs, for the test that checks the load generator (test/bench-load.test.ts).
export declare const LOADGEN_SATURATED_PCT: number;

export interface RequestPool {
  readonly size: number;
  readonly body: Buffer;
  next(): Buffer | undefined;
  readonly used: number;
}

export declare function requestPool(heads: Buffer[], body: Buffer, options?: { reuse?: boolean }): RequestPool;

export declare function requestHead(method: string, path: string, headers: Record<string, string>, bodyLength: number): Buffer;

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  poolExhausted: boolean;
  /** The generator's CPU over the window, as % of one core. */
  loadGenCpuPct: number;
  loadGenCpuUsPerRequest: number;
}

export declare function runLoad(o: { host: string; port: number; pool: RequestPool; connections: number; durationS: number; timeoutMs?: number }): Promise<LoadResult>;
