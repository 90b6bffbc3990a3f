// Batch ingestion (issue 17 part 1): messages/s for 1 KiB JSON messages sent in batches of 100 and 1,000
// (POST /ingestion/{channelId}/batch, MAC SHA256, each item with its own transaction id) on the gateway's own core,
// beside the single-message MAC SHA256 figure of the same run, with the server's CPU per message. Every batch is
// answered only after all its items are durably committed (group commit); a batch whose answer does not say
// `stored` = its size counts as an error. BENCH_BATCH_SIZES=100,1000 and BENCH_BATCH_CONCURRENCY (requests in
// flight, default 4) tune it; BENCH_DURATION_S / BENCH_WARMUP_S as for the other cases.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { cpuMicros } from './lib.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
export const BATCH_SIZES = (process.env.BENCH_BATCH_SIZES ?? '100,1000').split(',').map(Number);

/** The signed headers of one batch request (a fresh TransactionId for the batch itself). */
function signed(url, c) {
  const now = Date.now();
  const input = {
    url, sender: 'bench', customerId: c.customerId, timestamp: formatMacTimestamp(now), language: 'EN', organisationId: c.organisationId,
    transactionId: randomUUID(), timestampUnix: String(Math.floor(now / 1000)), customerKey: c.customerKey, partnerKey: c.partnerKey,
  };
  return { ...buildMacHeaders(input, { partnerId: c.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true }), accept: 'application/json', 'content-type': 'application/x-ndjson' };
}

/** Sends batches of `size` with CONCURRENCY in flight for `seconds`; counts messages stored and batches refused. */
async function drive(gw, size, seconds, body) {
  const url = `${gw.channelUrl}/batch`;
  const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const batchBody = () => {
    const parts = new Array(size);
    for (let i = 0; i < size; i++) parts[i] = `{"mediaType":"application/json","transactionId":"${run}-${n++}","body":${body}}\n`;
    return parts.join('');
  };
  let stored = 0;
  let errors = 0;
  let batches = 0;
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const payload = batchBody();
      const t0 = performance.now();
      try {
        const r = await request(url, { method: 'POST', headers: signed(url, gw.creds), body: payload, dispatcher });
        const text = await r.body.text();
        const j = r.statusCode === 200 ? JSON.parse(text) : undefined;
        if (j?.stored === size) stored += size;
        else errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
      batches++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const windowS = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => +(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1);
  return { stored, errors, batches, windowS, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

/**
 * The batch cases on a running embedded gateway `gw` ({ channelUrl, creds, vg: { pid } }). Returns, per size,
 * messages/s, server CPU µs per message, batch latency and errors.
 */
export async function benchBatches(gw, body) {
  const out = {};
  const text = JSON.stringify(body.toString('utf8'));
  for (const size of BATCH_SIZES) {
    await drive(gw, size, WARMUP_S, text);
    const cpu0 = cpuMicros(gw.vg.pid);
    const r = await drive(gw, size, DURATION_S, text);
    const cpu = cpuMicros(gw.vg.pid) - cpu0;
    out[`batch${size}`] = {
      batchSize: size, concurrency: CONCURRENCY, messagesPerS: Math.round(r.stored / r.windowS), messages: r.stored, batches: r.batches,
      windowS: +r.windowS.toFixed(2), cpuUsPerMessage: Math.round(cpu / Math.max(1, r.stored)), batchP50Ms: r.p50Ms, batchP99Ms: r.p99Ms, errors: r.errors,
    };
  }
  return out;
}

/** Prints the batch figures beside the single-message MAC SHA256 figure of the same run. */
export function reportBatches(batch, mac) {
  console.log(`batches (1 KiB JSON messages, MAC SHA256, ${CONCURRENCY} batch requests in flight, ${DURATION_S} s after ${WARMUP_S} s warm-up; every item its own transaction id, every answer after the durable commit):`);
  if (mac) console.log(`  single messages   ${String(mac.requestsPerS).padStart(7)} msg/s  cpu ${mac.cpuUsPerRequest} µs/msg  (macSHA256 of this run, ${mac.valid ? 'valid' : 'INVALID'})`);
  for (const [name, b] of Object.entries(batch)) {
    const ratio = mac ? `  ${(b.messagesPerS / mac.requestsPerS).toFixed(2)}× single` : '';
    b.ratioToSingle = mac ? +(b.messagesPerS / mac.requestsPerS).toFixed(2) : undefined;
    console.log(`  ${name.padEnd(17)} ${String(b.messagesPerS).padStart(7)} msg/s  cpu ${b.cpuUsPerMessage} µs/msg${ratio}  batch p50 ${b.batchP50Ms} p99 ${b.batchP99Ms} ms  ${b.batches} batches  errors ${b.errors}`);
  }
}
