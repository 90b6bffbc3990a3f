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

describe('error catalogue drift', () => {
  const tests = [...files(join(REPO, 'test')), ...files(join(REPO, 'src'))].filter((f) => !f.endsWith('error-catalogue.test.ts'));
  const corpus = tests.map((f) => readFileSync(f, 'utf8')).join('\n');

  it.each(ERROR_CODES)('%s has three languages, a remedy, a family, and a test that triggers it', (code) => {
    const d = ERROR_CATALOGUE[code];
    expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    for (const lang of ['en', 'fi', 'sv'] as const) expect(d.message[lang].length).toBeGreaterThan(5);
    expect(new Set([d.message.en, d.message.fi, d.message.sv]).size).toBe(3);
    expect(d.remedy.length).toBeGreaterThan(5);
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
