import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, FAMILY_STATUS } from '../src/protocol/index.js';
import { renderConfigDoc, renderErrorsDoc } from '../src/server/docs/render.js';
import { REPO } from './helpers/servers.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * What a remedy names that a translation must keep as it is: paths (/api/v1/…), headers (X-…), flags (--org),
 * codes and environment variables (SCREAMING_SNAKE with an underscore) and ids with a prefix (ch_test_…).
 */
function verbatimNames(text: string): string[] {
  return text.match(/(?:\/[A-Za-z0-9{}_.:-]+){2,}|\bX-[A-Za-z*-]+|--[a-z][a-z-]+|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[a-z]+_(?:test|live)_/g) ?? [];
}

describe('error catalogue drift', () => {
  const tests = [...files(join(REPO, 'test')), ...files(join(REPO, 'src'))].filter((f) => !f.endsWith('error-catalogue.test.ts'));
  const corpus = tests.map((f) => readFileSync(f, 'utf8')).join('\n');

  it.each(ERROR_CODES)('%s has three languages, a remedy, a family, and a test that triggers it', (code) => {
    const d = ERROR_CATALOGUE[code];
    expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    for (const lang of ['en', 'fi', 'sv'] as const) expect(d.message[lang].length).toBeGreaterThan(5);
    expect(new Set([d.message.en, d.message.fi, d.message.sv]).size).toBe(3);
    // The remedy (and the bearer remedy where there is one) in all three languages, each its own text, chosen by the
    // request's language like the title; the names a client types (commands, flags, headers, paths, codes, env vars)
    // stay verbatim in every translation.
    for (const remedy of [d.remedy, ...(d.bearerRemedy ? [d.bearerRemedy] : [])]) {
      for (const lang of ['en', 'fi', 'sv'] as const) expect(remedy[lang].trim().length, lang).toBeGreaterThan(5);
      expect(new Set([remedy.en, remedy.fi, remedy.sv]).size, 'en, fi and sv remedies differ').toBe(3);
      for (const name of verbatimNames(remedy.en)) {
        expect(remedy.fi, `fi keeps ${name}`).toContain(name);
        expect(remedy.sv, `sv keeps ${name}`).toContain(name);
      }
    }
    expect(Object.keys(FAMILY_STATUS)).toContain(d.family);
    expect(d.status).toBeGreaterThanOrEqual(400);
    // A test outside this file names the code in an assertion.
    expect(corpus.includes(`'${code}'`) || corpus.includes(`"${code}"`), `no test triggers ${code}`).toBe(true);
  });

  it('docs/errors.md documents every code and is current (npm run docs)', () => {
    const doc = readFileSync(join(REPO, 'docs/errors.md'), 'utf8');
    for (const code of ERROR_CODES) expect(doc).toContain(`## ${code}`);
    expect(doc).toBe(renderErrorsDoc());
  });

  it('docs/configuration.md is current (npm run docs)', () => {
    expect(readFileSync(join(REPO, 'docs/configuration.md'), 'utf8')).toBe(renderConfigDoc());
  });
});
