import { useEffect, useState } from 'preact/hooks';
import { account } from './account.js';
import { common } from './common.js';
import { company } from './company.js';
import { dataUser } from './data-user.js';
import { operator } from './operator.js';
import { sharing } from './sharing.js';
import { vault } from './vault.js';
import { vendor } from './vendor.js';

/*
 * Translations (issue 16: every text in EN, FI and SV). Each domain keeps its own dictionary file
 * (`i18n/<domain>.ts`, exporting `{ en, fi, sv }` with keys prefixed by the domain) so page engineers do not collide;
 * they are merged here. test/portal-i18n.test.ts checks every key exists in all three with the same `{param}` names.
 */

export const LANGUAGES = ['en', 'fi', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every domain's dictionary, for the completeness test. */
export const DICTIONARIES = { common, account, company, vendor, 'data-user': dataUser, operator, vault, sharing } as const;

const merged: Record<Language, Record<string, string>> = { en: {}, fi: {}, sv: {} };
for (const d of Object.values(DICTIONARIES)) for (const l of LANGUAGES) Object.assign(merged[l], d[l]);

export type MessageKey = keyof typeof common.en | keyof typeof account.en | keyof typeof company.en | keyof typeof vendor.en
  | keyof typeof dataUser.en | keyof typeof operator.en | keyof typeof vault.en | keyof typeof sharing.en;

const STORAGE_KEY = 'vaultgate.language';
const isLanguage = (x: unknown): x is Language => typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);

/** The language before the profile is known: localStorage, else the browser's (navigator.language), else English. */
function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch { /* storage blocked */ }
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return isLanguage(nav) ? nav : 'en';
}

let current: Language = initialLanguage();
const listeners = new Set<(l: Language) => void>();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export function language(): Language {
  return current;
}

/**
 * Switch the language: texts re-render, `<html lang>` follows, the choice is kept in localStorage, and the API client
 * sends it as Accept-Language (the server translates problem titles).
 */
export function setLanguage(l: Language, remember = true): void {
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, l); } catch { /* storage blocked */ }
  }
  if (l === current) return;
  current = l;
  document.documentElement.lang = l;
  for (const f of listeners) f(l);
}

/** Whether the user chose a language in this browser (it then wins over the profile's). */
export function storedLanguage(): Language | undefined {
  try {
    const s = localStorage.getItem(STORAGE_KEY);
    return isLanguage(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The text of `key` in the current language, `{name}` replaced from params. An unknown key shows itself. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = merged[current][key] ?? merged.en[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, n: string) => (n in params ? String(params[n]) : m)) : text;
}

/** A hook re-rendering the component on a language switch; returns t. */
export function useT(): typeof t {
  const [, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return t;
}

/**
 * The locale dates and numbers are formatted in: the current language, in the browser's own regional variant when it
 * has one (en-GB, en-US …), else the Finnish one (fi-FI, sv-FI, and en-GB for English: day before month, 24-hour
 * clock, as the platform's users in Finland expect).
 */
export function formatLocale(): string {
  const own = typeof navigator === 'undefined' ? undefined : (navigator.languages ?? [navigator.language]).find((l) => l.toLowerCase().startsWith(`${current}-`));
  return own ?? ({ en: 'en-GB', fi: 'fi-FI', sv: 'sv-FI' } as Record<string, string>)[current] ?? current;
}

/** A date-time in the current language (Intl). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(formatLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A number in the current language (Intl). */
export function formatNumber(n: number, o?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(formatLocale(), o).format(n);
}
