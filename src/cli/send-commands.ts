/** `vaultgate send` (one message, or many with --dir / --ndjson), `vaultgate sign`, `vaultgate profile`. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { maskedMacString } from '../protocol/index.js';
import { signRequestDetailed } from '../sdk/index.js';
import { bulkSend, countNdjson, folderItems, ndjsonBufferItems, ndjsonItems, type BulkCounts, type BulkSummary } from './bulk-send.js';
import { acceptLanguageOf, clientFor, macSettings, resolvedValues, withClientOptions } from './client-options.js';
import { signatureKeyOf, withSignatureOptions } from './signature-option.js';
import { VaultgateClient } from '../sdk/index.js';
import { printJson, printRecord } from './output.js';
import { PROFILE_KEYS, credentialsPath, readProfile, writeProfile, type Profile } from './profiles.js';
import { Progress } from './progress.js';
import { RateLimitNotices } from './rate-limit-notice.js';

const intFrom1To = (max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
};

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Exit code of a bulk send stopped because the server could not be reached: EX_TEMPFAIL (sysexits.h), "try again later". */
export const EXIT_UNREACHABLE = 75;

const counts = (s: BulkCounts): Record<string, number> => ({ sent: s.sent, 'already stored': s.alreadyStored, failed: s.failed });

function printSummary(s: BulkSummary, json: boolean, url: string, waitedS: number): void {
  for (const f of s.failures.slice(0, 20)) process.stderr.write(`failed: ${f.position}: ${f.message}\n`);
  if (s.failures.length > 20) process.stderr.write(`… and ${s.failed - 20} more failures\n`);
  if (s.stopped) {
    process.stderr.write(`vaultgate: stopped after ${s.stopped.consecutiveUnreachable} messages in a row could not be delivered: the server at ${url} cannot be reached (last: ${s.stopped.lastError}). `
      + `${s.notAttempted} of ${s.total} messages were not attempted.\n`
      + 'To resume, run the same command again once the server is back: each message keeps its transaction id (derived from its position and content), '
      + 'so the messages already stored are counted as "already stored" and none is stored twice.\n');
  }
  if (json) printJson({ ...s, rateLimitWaitSeconds: Math.round(waitedS * 10) / 10 });
  else {
    const skipped = s.notAttempted > 0 ? `, ${s.notAttempted} not attempted` : '';
    const waited = waitedS > 0 ? ` (${waitedS.toFixed(1)} s of it waiting for the rate limits)` : '';
    process.stdout.write(`${s.sent} sent, ${s.alreadyStored} already stored, ${s.failed} failed${skipped}, of ${s.total} in ${s.seconds.toFixed(1)} s${waited}\n`);
  }
}

/** `vaultgate send`. */
export function sendCommand(): Command {
  const send = withSignatureOptions(withClientOptions(new Command('send')))
    .description('send a message (a file, or stdin) into a channel; or many: --dir <folder> (one file each), --ndjson <file> (one line each)')
    .argument('[file]', 'the message body; omitted or "-": read stdin')
    .requiredOption('--channel <channelId>', 'the ingestion channel')
    .option('--message-type <name>', 'agreed message type (may be omitted when the channel has exactly one)')
    .option('--media-type <type>', 'agreed media type, sent as Content-Type', 'application/json')
    .option('--transaction-id <id>', 'transaction id of a single send (default: a new UUID)')
    .addOption(new Option('--dir <folder>', 'bulk: every file of the folder, in name order').conflicts(['ndjson', 'transactionId']))
    .addOption(new Option('--ndjson <file>', 'bulk: every non-empty line of the file ("-": stdin) is one message').conflicts(['transactionId']))
    .option('--concurrency <n>', 'bulk: requests in flight at once', intFrom1To(256), 8)
    .option('--batch-size <n>', 'bulk: messages per request when the server offers batches (POST /ingestion/{channelId}/batch); 1: one request per message', intFrom1To(1000), 1000)
    .option('--max-connection-failures <n>', `bulk: stop after n messages in a row could not be delivered because the server cannot be reached (exit ${EXIT_UNREACHABLE}; run the same command again to resume)`, intFrom1To(100_000), 5)
    .option('--content-digest', 'send Content-Digest (RFC 9530, sha-256 of the body as sent) with every message or batch, for channels that require it (always so with --sign http-sig)')
    .option('--json', 'print the receipt / summary as JSON')
    .action(async (file: string | undefined, o: Record<string, any>, cmd: Command) => {
      // Issue 17: --sign http-sig signs with a registered key; no MAC credentials or token are needed then.
      const signature = signatureKeyOf(o);
      // Issue 17 §3: say why nothing moves while the SDK waits for a rate limit (once per wait, above the progress line).
      let progress: Progress | undefined;
      const notices = new RateLimitNotices((line) => (progress ? progress.note(`vaultgate: ${line}`) : process.stderr.write(`vaultgate: ${line}\n`)));
      const onRateLimitWait = notices.report.bind(notices);
      const client = signature
        ? (() => {
          const values = resolvedValues(cmd);
          return new VaultgateClient({ baseUrl: values.url ?? 'http://127.0.0.1:8080', signature, onRateLimitWait, ...acceptLanguageOf(values) });
        })()
        : clientFor(cmd, { contentDigest: o.contentDigest === true, onRateLimitWait });
      try {
        if (o.dir || o.ndjson) {
          if (file) throw new Error('give either a file or --dir / --ndjson, not both');
          const piped = o.ndjson === '-' ? ndjsonBufferItems(await readStdin()) : undefined;
          const items = o.dir ? folderItems(o.dir) : piped ?? ndjsonItems(o.ndjson);
          const total = o.dir ? (items as unknown[]).length : piped ? piped.length : await countNdjson(o.ndjson);
          progress = new Progress(total, process.stderr);
          const bar = progress;
          const summary = await bulkSend(items, {
            client, channelId: o.channel, messageType: o.messageType, mediaType: o.mediaType, concurrency: o.concurrency, total,
            maxUnreachable: o.maxConnectionFailures, batchSize: o.batchSize, onProgress: (c) => bar.update(counts(c)),
          });
          progress.update(counts(summary), true);
          printSummary(summary, o.json === true, client.baseUrl, notices.waitedSeconds);
          if (summary.stopped) process.exitCode = EXIT_UNREACHABLE;
          else if (summary.failed > 0) process.exitCode = 1;
          return;
        }
        const body = file && file !== '-' ? readFileSync(file) : await readStdin();
        const r = await client.send(o.channel, body, { mediaType: o.mediaType, ...(o.messageType ? { messageType: o.messageType } : {}), ...(o.transactionId ? { transactionId: o.transactionId } : {}) });
        if (o.json) printJson(r);
        else printRecord(r as unknown as Record<string, unknown>);
      } finally {
        await client.close();
      }
    });
  return send;
}

/** `vaultgate sign`: the headers of a signed request and the string that was hashed, keys masked. */
export function signCommand(): Command {
  // The MAC only: no OAuth client flags.
  return withClientOptions(new Command('sign'), PROFILE_KEYS.filter((k) => !['clientId', 'clientSecret', 'tokenUrl', 'sessionToken'].includes(k)))
    .description('print the signed headers for a URL and the string that was hashed (keys masked), to debug an integration')
    .argument('<url>', 'full URL, or a path such as /ingestion/ch_test_… (appended to --url)')
    .option('--transaction-id <id>', 'transaction id to sign (default: a new UUID)')
    .option('--timestamp <iso>', 'sign at this instant instead of now, e.g. 2026-11-25T10:00:00.000Z')
    .option('--json', 'print {headers, stringToHash} as JSON')
    .action((url: string, o: Record<string, string | undefined>, cmd: Command) => {
      const s = macSettings(cmd);
      const full = url.startsWith('/') ? s.url.replace(/\/+$/, '') + url : url;
      const nowMs = o.timestamp ? Date.parse(o.timestamp) : undefined;
      if (nowMs !== undefined && Number.isNaN(nowMs)) throw new Error('--timestamp must be an ISO 8601 instant');
      const { headers, input, algorithm } = signRequestDetailed(s.credentials, full, {
        ...(o.transactionId ? { transactionId: o.transactionId } : {}), ...(nowMs !== undefined ? { nowMs } : {}),
      });
      const stringToHash = maskedMacString(input, algorithm);
      if (o.json) return printJson({ url: full, headers, stringToHash });
      process.stdout.write(`String to hash (ISO-8859-1 bytes, ${algorithm}; keys masked):\n${stringToHash}\n\nHeaders:\n`);
      for (const [k, v] of Object.entries(headers)) process.stdout.write(`${k}: ${v}\n`);
    });
}

const mask = (v: string): string => (v.length <= 4 ? '****' : `${'*'.repeat(Math.min(8, v.length - 4))}${v.slice(-4)}`);

/** `vaultgate profile set|show`: the credentials file (mode 0600). */
export function profileCommand(): Command {
  const profile = new Command('profile').description(`named credential profiles in the credentials file (mode 0600)`);
  withClientOptions(profile.command('set'))
    .description('create or update a profile from flags and/or the JSON the admin commands print')
    .option('--from-json <file...>', 'JSON files holding partnerId/partnerKey and/or customerId/customerKey, or clientId/clientSecret (e.g. partner.json sender.json, erp.json)')
    .action((o: Record<string, any>) => {
      const values: Profile = {};
      for (const f of (o.fromJson as string[] | undefined) ?? []) {
        const j = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
        for (const k of PROFILE_KEYS) if (typeof j[k] === 'string') values[k] = j[k] as string;
        if (typeof j.tokenEndpoint === 'string' && values.tokenUrl === undefined) values.tokenUrl = j.tokenEndpoint; // an OAuth client's JSON
      }
      for (const k of PROFILE_KEYS) if (typeof o[k] === 'string') values[k] = o[k];
      const name = o.profile ?? 'default';
      const file = writeProfile(process.env, name, values);
      process.stderr.write(`profile "${name}" written to ${file} (mode 0600)\n`);
    });
  profile.command('show').description('show a profile, keys and client secret masked')
    .option('--profile <name>', 'profile name', 'default')
    .action((o: { profile: string }) => {
      const p = readProfile(process.env, o.profile, true) ?? {};
      printRecord({ file: credentialsPath(process.env), profile: o.profile, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, /Key$|Secret$|Token$/.test(k) ? mask(v ?? '') : v])) });
    });
  return profile;
}
