import { createHash, createHmac, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMac, MAC_ALGORITHMS, MAX_MAC_CANDIDATES, macForm, macString, parseMacTimestamp, type MacInput } from '../src/protocol/index.js';
import { collectMessageTypes } from '../src/cli/message-types.js';
import { macRequest } from './helpers/mac-request.js';
import { createTenant, REPO, startTestServer, type Tenant, type TestServer } from './helpers/servers.js';

/*
 * The protocol pages in docs/ (issue 11 §9) are what an integrator implements from: they must stand alone (no link
 * out of the repository) and stay true. The worked example of docs/mac-auth.md is checked against
 * test/vectors/mac.json (itself kept equal to the shared spec's vectors), its code snippet is run, and the
 * onboarding recipe of docs/ingestion.md is carried out against a real server.
 */
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const files = (dir: string): string[] =>
  readdirSync(join(REPO, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(REPO, p)).isDirectory() ? files(p) : [p];
  });
const USER_DOCS = ['README.md', ...files('docs').filter((f) => f.endsWith('.md'))];

interface Vector extends Required<MacInput> { sha256: string; hmacsha256: string; md5: string }
const vectorFile = JSON.parse(read('test/vectors/mac.json')) as {
  vectors: Record<string, Vector>;
  negative: { id: string; sha256: string }[];
};

/** The body of the fenced block whose info string is `text <name>`. */
function block(doc: string, name: string): string {
  const m = new RegExp('```text ' + name + '\\n([\\s\\S]*?)\\n```').exec(doc);
  if (!m) throw new Error(`no \`\`\`text ${name} block`);
  return m[1]!;
}

/** `Label   value` lines of a block, as a map. */
function table(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').map((l) => {
    const m = /^(\S+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`not a "Label value" line: ${l}`);
    return [m[1]!, m[2]!];
  }));
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

describe('the protocol pages in docs/', () => {
  it('exist, and README.md, docs/ and examples/ never point outside the repository (../shared)', () => {
    for (const page of ['docs/mac-auth.md', 'docs/ingestion.md', 'docs/oauth.md']) expect(existsSync(join(REPO, page)), page).toBe(true);
    const offenders = [...USER_DOCS, ...files('examples')].filter((f) => /\.\.\/shared|shared\/spec/.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of USER_DOCS) {
      for (const m of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1]!;
        if (/^[a-z]+:/i.test(href)) continue;
        const [path, anchor] = href.split('#') as [string, string | undefined];
        const target = path === '' ? file : relative(REPO, join(REPO, dirname(file), path));
        if (!existsSync(join(REPO, target))) {
          broken.push(`${file}: ${href} (no ${target})`);
          continue;
        }
        if (anchor && target.endsWith('.md')) {
          const anchors = [...read(target).matchAll(/^#{1,6} (.+)$/gm)].map((h) => slug(h[1]!));
          if (!anchors.includes(anchor)) broken.push(`${file}: ${href} (no heading #${anchor} in ${target})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  describe('mac-auth.md', () => {
    const doc = read('docs/mac-auth.md');
    const v = vectorFile.vectors.V4!;

    it('gives the inputs of vector V4 in its worked example', () => {
      const t = table(block(doc, 'mac-example'));
      expect(t).toEqual({
        URL: v.url, Sender: v.sender, CustomerId: v.customerId, Timestamp: v.timestamp, TimestampUnix: v.timestampUnix,
        Language: v.language, OrganisationId: v.organisationId, TransactionId: v.transactionId, CustomerKey: v.customerKey,
        PartnerKey: v.partnerKey,
      });
      // TimestampUnix is the Timestamp's instant in whole seconds.
      expect(Math.floor(parseMacTimestamp(t.Timestamp!)! / 1000)).toBe(Number(t.TimestampUnix));
    });

    it('shows the strings to hash that the code builds, and the HMAC key', () => {
      expect(block(doc, 'mac-string-sha256')).toBe(macString(v, 'SHA256'));
      expect(block(doc, 'mac-string-hmacsha256')).toBe(macString(v, 'HMACSHA256'));
      expect(doc).toContain(`with the key\n\`${v.customerKey}&${v.partnerKey}\``);
    });

    it('shows the digests of the vectors, which the code computes', () => {
      const digests = table(block(doc, 'mac-digests'));
      expect(Object.keys(digests).sort()).toEqual([...MAC_ALGORITHMS].sort());
      const key = { SHA256: 'sha256', HMACSHA256: 'hmacsha256', MD5: 'md5' } as const;
      for (const algorithm of MAC_ALGORITHMS) {
        expect(digests[algorithm], algorithm).toBe(v[key[algorithm]]);
        expect(computeMac(v, algorithm), algorithm).toBe(v[key[algorithm]]);
      }
      // The negative vectors it quotes.
      for (const n of vectorFile.negative.filter((x) => x.id === 'N1' || x.id === 'N2')) {
        expect(doc, n.id).toMatch(new RegExp(`vector ${n.id}[^\n]*\n?[^\n]*${n.sha256}`, 'i'));
      }
    });

    it('has a Node.js snippet that computes those digests', () => {
      const code = /```js\n([\s\S]*?)\n```/.exec(doc)![1]!.replace(/^import .*$/m, '');
      const names = ['url', 'sender', 'customerId', 'timestamp', 'language', 'organisationId', 'transactionId', 'timestampUnix', 'customerKey', 'partnerKey'] as const;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const run = new Function('createHash', 'createHmac', 'Buffer', ...names, `${code}\nreturn { sha256, hmac };`);
      const out = run(createHash, createHmac, Buffer, ...names.map((n) => v[n]));
      expect(out).toEqual({ sha256: v.sha256, hmac: v.hmacsha256 });
    });

    it('states the bound and the metric as the code has them', () => {
      expect(doc).toContain(`at most **${MAX_MAC_CANDIDATES}** digests`);
      expect(doc).toContain('`vaultgate_mac_verified_total{algorithm, form}`');
      const all = macForm(['absolute_form', 'wire_url', 'utf8_headers', 'utf8_string', 'timestamp_unix_skew']).split('+');
      for (const form of ['canonical', ...all]) expect(doc, form).toContain(`\`${form}\``);
    });
  });

  describe('api.md', () => {
    it('names the TimestampUnix header, in seconds, and both places the keys go', () => {
      const doc = read('docs/api.md');
      const example = /X-Netvisor-Authentication-Timestamp: (\S+ \S+)[\s\S]*?X-Netvisor-Authentication-TimestampUnix: (\d+)/.exec(doc)!;
      expect(Math.floor(parseMacTimestamp(example[1]!)! / 1000)).toBe(Number(example[2]));
      expect(doc).toMatch(/whole seconds since 1970-01-01T00:00:00Z/);
      expect(doc).toContain('`…&TransactionId&TimestampUnix&CustomerKey&PartnerKey`');
      expect(doc).toMatch(/the two keys stay at the end of\s+the string \*\*and\*\* are the HMAC key, joined as `CustomerKey&PartnerKey`/);
    });
  });

  describe('ingestion.md: onboarding a client that always sends text/plain and no X-Message-Type', () => {
    let s: TestServer;
    let t: Tenant;
    const doc = read('docs/ingestion.md');
    const recipe = doc.slice(doc.indexOf('## Onboarding a client'));
    const types = [...recipe.matchAll(/--message-type "([^"]+)"/g)].reduce<{ name: string; mediaTypes: string[] }[]>((acc, m) => collectMessageTypes(m[1]!, acc), []);

    beforeAll(async () => {
      s = await startTestServer();
      t = await createTenant(s.admin, { messageTypes: types });
    });
    afterAll(() => s.stop());

    it('agrees text/plain for every message type, so the URL alone decides', async () => {
      expect(types.length).toBeGreaterThan(1);
      for (const type of types) {
        expect(type.mediaTypes).toContain('text/plain');
        const res = await macRequest({
          baseUrl: s.url, target: `/ingestion/${t.channelId}?messageType=${type.name}`, creds: t.sender,
          body: Buffer.from(`plain ${type.name}`), headers: { 'content-type': 'text/plain' }, transactionId: randomUUID(),
        });
        expect(res.status, res.text).toBe(200);
        expect(res.json()).toMatchObject({ messageType: type.name, mediaType: 'text/plain' });
      }
      // Without the parameter, the channel of several types asks for one.
      const none = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: Buffer.from('x'), headers: { 'content-type': 'text/plain' } });
      expect(none.json().code).toBe('MESSAGE_TYPE_REQUIRED');
    });
  });
});
