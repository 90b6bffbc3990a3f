import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeMac, type MacAlgorithm } from './mac.js';
import { POSTMAN_MAC_FUNCTION, postmanExport } from './postman-collection.js';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/mac.json', import.meta.url), 'utf8')) as {
  vectors: Record<string, Record<string, string>>;
};

/** Runs a script in Postman's own sandbox (the one newman uses, with its global CryptoJS); resolves with its console.log output. */
function runInPostmanSandbox(script: string): Promise<unknown[]> {
  const Sandbox = createRequire(import.meta.url)('postman-sandbox');
  return new Promise((resolve, reject) => {
    Sandbox.createContext({}, (err: Error | null, ctx: any) => {
      if (err) return reject(err);
      const logged: unknown[] = [];
      // The sandbox warns (level warn) that the global CryptoJS is deprecated in favour of require('crypto-js').
      ctx.on('console', (_cursor: unknown, level: string, ...args: unknown[]) => {
        if (level === 'log') logged.push(...args);
      });
      ctx.execute(script, { timeout: 20_000 }, (e: Error | null) => {
        ctx.dispose();
        if (e) reject(e);
        else resolve(logged);
      });
    });
  });
}

describe('the Postman pre-request signing function', () => {
  it('passes every MAC vector (SHA256, HMACSHA256, MD5) in the Postman sandbox', async () => {
    const script = `${POSTMAN_MAC_FUNCTION}
var vectors = ${JSON.stringify(vectors.vectors)};
var out = {};
Object.keys(vectors).forEach(function (id) {
  ['SHA256', 'HMACSHA256', 'MD5'].forEach(function (a) { out[id + ' ' + a] = vaultgateMac(vectors[id], a); });
});
console.log(JSON.stringify(out));`;
    const [json] = await runInPostmanSandbox(script);
    const got = JSON.parse(json as string) as Record<string, string>;
    const expected: Record<string, string> = {};
    for (const [id, v] of Object.entries(vectors.vectors)) {
      expected[`${id} SHA256`] = v.sha256!;
      expected[`${id} HMACSHA256`] = v.hmacsha256!;
      expected[`${id} MD5`] = v.md5!;
    }
    expect(Object.keys(got)).toHaveLength(Object.keys(vectors.vectors).length * 3);
    expect(got).toEqual(expected);
  });

  it('agrees with the server code on non-ASCII input, and refuses what ISO-8859-1 cannot encode', async () => {
    const f = { url: 'https://h/ingestion/ch?x=Jyväskylä', sender: 'Demokäyttäjä', customerId: 'c', timestamp: '2026-11-25 10:00:00.000', language: 'FI', organisationId: '1967543-8', transactionId: 'ö', timestampUnix: '1795600800', customerKey: 'kä', partnerKey: 'pö' };
    const logged = await runInPostmanSandbox(`${POSTMAN_MAC_FUNCTION}
var f = ${JSON.stringify(f)};
console.log(vaultgateMac(f, 'SHA256'), vaultgateMac(f, 'HMACSHA256'));
try { f.sender = 'Ω'; vaultgateMac(f, 'SHA256'); console.log('signed'); } catch (e) { console.log(e.message); }`);
    expect(logged.slice(0, 2)).toEqual((['SHA256', 'HMACSHA256'] as MacAlgorithm[]).map((a) => computeMac(f, a)));
    expect(logged[2]).toContain('cannot be encoded as ISO-8859-1');
  });
});

describe('postmanExport', () => {
  const out = postmanExport({
    baseUrl: 'https://vg.example.com/', channelId: 'ch_test_1',
    messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] }, { name: 'Rahtikirja', mediaTypes: ['text/csv'] }],
    values: { partnerId: 'pid_test_1', organisationId: '1967543-8' },
  });

  it('is a v2.1 collection with a signing pre-request script and one request per agreed type and media type', () => {
    const c = out.collection as any;
    expect(c.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(c.event[0].listen).toBe('prerequest');
    expect(c.event[0].script.exec.join('\n')).toContain('VgCrypto.enc.Latin1.parse');
    expect(c.item.map((i: any) => i.name)).toEqual([
      'Send a message ({{messageType}}, {{mediaType}})', 'Send TransportOrder (application/json)', 'Send TransportOrder (application/xml)', 'Send Rahtikirja (text/csv)',
    ]);
    expect(c.item[3].request.body.raw).toContain('Hyvää päivää');
    for (const i of c.item) expect(i.event[0].script.exec.join('\n')).toContain("pm.response.to.have.status(200)");
  });

  it('names the environment variables exactly; keys are empty secrets unless given', () => {
    expect(out.environment.values.map((v) => v.key)).toEqual(['baseUrl', 'channelId', 'messageType', 'mediaType', 'partnerId', 'partnerKey', 'customerId', 'customerKey', 'organisationId', 'sender', 'language']);
    const byKey = Object.fromEntries(out.environment.values.map((v) => [v.key, v]));
    expect(byKey.baseUrl!.value).toBe('https://vg.example.com');
    expect(byKey.partnerKey).toMatchObject({ value: '', type: 'secret' });
    expect(byKey.customerKey).toMatchObject({ value: '', type: 'secret' });
    expect(byKey.messageType!.value).toBe('TransportOrder');
    expect(postmanExport({ baseUrl: 'https://x', channelId: 'c', messageTypes: [], values: { partnerKey: 'pk' } }).environment.values.find((v) => v.key === 'partnerKey')!.value).toBe('pk');
  });
});
