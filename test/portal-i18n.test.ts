import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { account } from '../src/portal/i18n/account.js';
import { common } from '../src/portal/i18n/common.js';
import { company } from '../src/portal/i18n/company.js';
import { dataUser } from '../src/portal/i18n/data-user.js';
import { operator } from '../src/portal/i18n/operator.js';
import { sharing } from '../src/portal/i18n/sharing.js';
import { vault } from '../src/portal/i18n/vault.js';
import { vendor } from '../src/portal/i18n/vendor.js';
import { REPO } from './helpers/servers.js';

/*
 * The portal's texts (issue 16: every text in EN, FI and SV): every key of every domain dictionary exists in all
 * three languages with the same {param} names and a non-empty text, keys carry their domain's prefix, no key is
 * defined by two domains, and no JSX text in src/portal bypasses t().
 */

const DOMAINS = { common, account, company, vendor, dataUser, operator, vault, sharing } as const;
const PORTAL = join(REPO, 'src/portal');
const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function tsx(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsx(p) : p.endsWith('.tsx') ? [p] : [];
  });
}

describe('portal translations', () => {
  for (const [domain, d] of Object.entries(DOMAINS)) {
    it(`${domain}: every key in en, fi and sv with the same parameters`, () => {
      const keys = Object.keys(d.en);
      expect(keys.length).toBeGreaterThan(0);
      for (const lang of ['fi', 'sv'] as const) {
        const other: Record<string, string> = d[lang];
        expect(Object.keys(other).sort(), `${domain}.${lang} keys`).toEqual([...keys].sort());
        for (const k of keys) {
          expect(other[k]!.trim(), `${lang} ${k}`).not.toBe('');
          expect(params(other[k]!), `${lang} ${k} parameters`).toEqual(params((d.en as Record<string, string>)[k]!));
        }
      }
      for (const k of keys) expect(k.startsWith(`${domain}.`), `${k} carries the prefix ${domain}.`).toBe(true);
    });
  }

  it('no key is defined by two domains', () => {
    const all = Object.values(DOMAINS).flatMap((d) => Object.keys(d.en));
    expect(all.length).toBe(new Set(all).size);
  });

  it('every t() key used in src/portal exists', () => {
    const known = new Set(Object.values(DOMAINS).flatMap((d) => Object.keys(d.en)));
    const missing: string[] = [];
    for (const file of [...tsx(PORTAL), join(PORTAL, 'routing.ts')].concat(readdirSync(join(PORTAL, 'pages')).map((d) => join(PORTAL, 'pages', d, 'routes.ts')))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bt\(|labelKey:\s*)'([\w.-]+)'/g)) if (!known.has(m[1]!)) missing.push(`${relative(REPO, file)}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('no JSX text literal in src/portal bypasses t()', () => {
    const bad: string[] = [];
    for (const file of tsx(PORTAL)) {
      const text = readFileSync(file, 'utf8');
      // Text (not after an arrow's '=>') between a tag's '>' and the next '<' or '{' that holds a letter: JSX text that is not an expression.
      for (const m of text.matchAll(/(?<!=)>([^<>{}()=;&|?]*[A-Za-zÀ-ÿ][^<>{}()=;&|?]*)</g)) {
        const literal = m[1]!.trim();
        if (literal && !/^[\s:·–—✓]*$/.test(literal)) bad.push(`${relative(REPO, file)}: "${literal}"`);
      }
      // String literals given as visible attributes (aria-label, alt, title, placeholder, label).
      for (const m of text.matchAll(/\b(aria-label|alt|title|placeholder|label)="([^"]*[A-Za-z][^"]*)"/g)) bad.push(`${relative(REPO, file)}: ${m[1]}="${m[2]}"`);
    }
    expect(bad).toEqual([]);
  });
});
