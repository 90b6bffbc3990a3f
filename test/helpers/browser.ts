import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO } from './servers.js';

/*
 * The real browser of the portal tests (issue 16): Debian's chromium driven by playwright-core, headless, with a fresh
 * profile and no background traffic of its own. It records every request the pages make (so a test asserts they all
 * go to the server) and every Content-Security-Policy violation (console "Refused to …" and securitypolicyviolation
 * events); checkA11y runs axe-core (WCAG 2 A/AA) in the page without weakening its CSP for the run; screenshot saves
 * test-artifacts/portal/<name>.png.
 */

export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, 'test-artifacts/portal');

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI=true a missing chromium is a failure
 * (`.ci/run` installs it), never a skip: the caller throws the reason instead of skipping.
 */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
}

/** describe.skipIf for the browser suites: skips with the reason, except under CI=true where it fails. */
export function skipBrowser(): boolean {
  const why = browserUnavailable();
  if (why && process.env.CI === 'true') throw new Error(`Browser tests need chromium under CI: ${why}`);
  if (why) console.warn(`skipping browser tests: ${why}`);
  return why !== undefined;
}

export interface PortalBrowser {
  context: BrowserContext;
  /** Every URL a page of this browser requested (navigation, fetch, scripts, styles, images), data: excluded. */
  requests: string[];
  /** CSP violations seen ("Refused to …" console lines and securitypolicyviolation events). */
  cspViolations: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches chromium with a fresh user-data-dir; `locale` is the browser's language (navigator.language). */
export async function launchBrowser(o: { locale?: string } = {}): Promise<PortalBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'vg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: o.locale ?? 'en-GB',
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const requests: string[] = [];
  const cspViolations: string[] = [];
  context.on('request', (r) => {
    if (!r.url().startsWith('data:')) requests.push(r.url());
  });
  await context.exposeBinding('__vgCspViolation', (_source, text: string) => void cspViolations.push(text));
  // An init script runs through the DevTools protocol, not as page script: the page's CSP does not apply to it.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __vgCspViolation(t: string): void }).__vgCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const watch = (page: Page) => page.on('console', (m) => {
    if (/Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context, requests, cspViolations,
    newPage: async () => context.pages().find((p) => p.url() === 'about:blank') ?? context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Asserts every request went to one of `origins` (the server's own, and any the test names, e.g. an OpenID provider). */
export function expectOnlyOrigins(b: PortalBrowser, origins: string[]): void {
  const outside = b.requests.filter((u) => !origins.includes(new URL(u).origin));
  expect(outside).toEqual([]);
  expect(b.requests.length).toBeGreaterThan(0);
}

/** Asserts no CSP violation happened. */
export function expectNoCspViolations(b: PortalBrowser): void {
  expect(b.cspViolations).toEqual([]);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules) and asserts no violations. axe is injected with
 * page.evaluate (the DevTools protocol), so the page keeps its CSP and no bypass is needed.
 */
export async function checkA11y(page: Page, name: string): Promise<void> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `axe on ${name}`).toEqual([]);
}

/** Saves a full-page screenshot as test-artifacts/portal/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What the focused element is: its accessible label (label text, aria-label, or text) and tag. */
async function focused(page: Page): Promise<{ name: string; tag: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: '', tag: 'body' };
    const labels = (el as HTMLInputElement).labels;
    const name = (labels && labels.length > 0 ? labels[0]!.textContent : el.getAttribute('aria-label') ?? el.textContent) ?? '';
    return { name: name.trim(), tag: el.tagName.toLowerCase() };
  });
}

/**
 * Keyboard only: presses Tab until the focused element's accessible name matches `name` (at most `max` presses),
 * and fails when it never does — every control of a journey must be reachable by Tab.
 */
export async function tabTo(page: Page, name: RegExp, max = 40): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (name.test(f.name)) return;
    seen.push(`${f.tag}:${f.name}`);
  }
  throw new Error(`Tab never reached ${name}; focus went through ${seen.join(' | ')}`);
}

/** Keyboard only: Tab to the field named `name` and type `text` into it. */
export async function typeInto(page: Page, name: RegExp, text: string): Promise<void> {
  await tabTo(page, name);
  await page.keyboard.type(text);
}
