import { describe, expect, it } from 'vitest';
import { canonicalUrls, decodeTarget, normalizeBaseUrl, originForm, requestUrls } from './canonical-url.js';

describe('normalizeBaseUrl', () => {
  it('drops the default port of each scheme', () => {
    expect(normalizeBaseUrl('http://vault.example.com:80')).toBe('http://vault.example.com');
    expect(normalizeBaseUrl('https://vault.example.com:443')).toBe('https://vault.example.com');
  });

  it('keeps a port that is not the scheme default', () => {
    expect(normalizeBaseUrl('https://vault.example.com:8443')).toBe('https://vault.example.com:8443');
    expect(normalizeBaseUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    // 443 is not http's default, nor 80 https's.
    expect(normalizeBaseUrl('http://vault.example.com:443')).toBe('http://vault.example.com:443');
    expect(normalizeBaseUrl('https://vault.example.com:80')).toBe('https://vault.example.com:80');
  });

  it('drops trailing slashes', () => {
    expect(normalizeBaseUrl('https://vault.example.com/')).toBe('https://vault.example.com');
    expect(normalizeBaseUrl('https://vault.example.com/api/')).toBe('https://vault.example.com/api');
    expect(normalizeBaseUrl('https://vault.example.com/api//')).toBe('https://vault.example.com/api');
  });

  it('lowercases scheme and host but keeps the path as written', () => {
    expect(normalizeBaseUrl('HTTPS://Vault.EXAMPLE.com:443/Api/V1/')).toBe('https://vault.example.com/Api/V1');
  });

  it('keeps a path prefix', () => {
    expect(normalizeBaseUrl('https://example.com/vaultgate')).toBe('https://example.com/vaultgate');
  });

  it('refuses a query, a fragment, another scheme or something that is not a URL', () => {
    expect(() => normalizeBaseUrl('https://example.com/?env=test')).toThrow(/query/);
    expect(() => normalizeBaseUrl('https://example.com/#top')).toThrow(/fragment/);
    expect(() => normalizeBaseUrl('ftp://example.com')).toThrow(/http or https/);
    expect(() => normalizeBaseUrl('example.com')).toThrow();
    expect(() => normalizeBaseUrl('')).toThrow();
  });
});

describe('decodeTarget', () => {
  it('percent-decodes as UTF-8 and leaves + alone', () => {
    expect(decodeTarget('/x?keyword=M%C3%A4kel%C3%A4')).toBe('/x?keyword=Mäkelä');
    expect(decodeTarget('/x?q=a+b%2Bc')).toBe('/x?q=a+b+c');
  });

  it('is undefined for escapes that are not UTF-8', () => {
    expect(decodeTarget('/x?keyword=M%E4kel%E4')).toBeUndefined();
    expect(decodeTarget('/x?q=%ZZ')).toBeUndefined();
    expect(decodeTarget('/x?q=100%')).toBeUndefined();
  });
});

describe('canonicalUrls', () => {
  const base = 'https://isvapi.netvisor.fi';

  it('gives one form when nothing is escaped, query included', () => {
    expect(canonicalUrls(base, '/salesinvoicelist.nv?invoicestatus=open&listtype=preinvoice')).toEqual([
      'https://isvapi.netvisor.fi/salesinvoicelist.nv?invoicestatus=open&listtype=preinvoice',
    ]);
    expect(canonicalUrls(base, '/customerlist.nv')).toEqual(['https://isvapi.netvisor.fi/customerlist.nv']);
  });

  it('puts the decoded form first and the raw target second', () => {
    expect(canonicalUrls(base, '/customerlist.nv?keyword=M%C3%A4kel%C3%A4')).toEqual([
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=Mäkelä',
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=M%C3%A4kel%C3%A4',
    ]);
  });

  it('decodes %20 to a space', () => {
    expect(canonicalUrls(base, '/customerlist.nv?keyword=Oy%20Ab')).toEqual([
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy Ab',
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy%20Ab',
    ]);
  });

  it('leaves + as it is (it is not a space here)', () => {
    expect(canonicalUrls(base, '/customerlist.nv?keyword=Oy+Ab')).toEqual([
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy+Ab',
    ]);
    expect(canonicalUrls(base, '/customerlist.nv?keyword=Oy+Ab%20Ltd')[0]).toBe(
      'https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy+Ab Ltd',
    );
  });

  it('decodes escapes in the path too, and escaped reserved characters', () => {
    expect(canonicalUrls(base, '/a%20b/c?x=%26%3D%3F')[0]).toBe('https://isvapi.netvisor.fi/a b/c?x=&=?');
  });

  it('gives only the raw form for escapes that are not valid UTF-8', () => {
    for (const target of ['/customerlist.nv?keyword=M%E4kel%E4', '/customerlist.nv?keyword=%ZZ', '/x?a=%C3%A4&b=%E4', '/x?a=%']) {
      expect(canonicalUrls(base, target)).toEqual([base + target]);
    }
  });

  it('keeps the base as given (a path prefix, a port)', () => {
    expect(canonicalUrls('http://localhost:3000/vg', '/ingestion/ch_test_x?n=%C3%B6')).toEqual([
      'http://localhost:3000/vg/ingestion/ch_test_x?n=ö',
      'http://localhost:3000/vg/ingestion/ch_test_x?n=%C3%B6',
    ]);
  });
});

describe('originForm and requestUrls (RFC 9112 §3.2.2 absolute-form)', () => {
  it('takes the path and query of an absolute-form target', () => {
    expect(originForm('http://127.0.0.1:8080/ingestion/ch_test_x')).toEqual({ target: '/ingestion/ch_test_x', absoluteForm: true });
    expect(originForm('https://api.example.com/ingestion/ch_test_x?messageType=Order&ref=M%C3%A4kel%C3%A4')).toEqual({
      target: '/ingestion/ch_test_x?messageType=Order&ref=M%C3%A4kel%C3%A4', absoluteForm: true,
    });
    expect(originForm('HTTP://user:pw@host:1/a')).toEqual({ target: '/a', absoluteForm: true });
    // An empty path is "/" (RFC 9110 §4.2.3), also before a query.
    expect(originForm('http://host')).toEqual({ target: '/', absoluteForm: true });
    expect(originForm('http://host?q=1')).toEqual({ target: '/?q=1', absoluteForm: true });
  });

  it('leaves origin-form targets, and other schemes, as they are', () => {
    expect(originForm('/ingestion/ch_test_x?a=b')).toEqual({ target: '/ingestion/ch_test_x?a=b', absoluteForm: false });
    // A path that merely contains a URL is still origin-form.
    expect(originForm('/x/http://host/y')).toEqual({ target: '/x/http://host/y', absoluteForm: false });
    expect(originForm('ftp://host/x')).toEqual({ target: 'ftp://host/x', absoluteForm: false });
    expect(originForm('*')).toEqual({ target: '*', absoluteForm: false });
  });

  it('builds the MAC URLs from the base URL and the path and query, never the whole target appended', () => {
    expect(requestUrls('https://vault.example.com', 'http://10.0.0.5:8080/ingestion/ch_test_x?ref=M%C3%A4kel%C3%A4')).toEqual({
      urls: ['https://vault.example.com/ingestion/ch_test_x?ref=Mäkelä', 'https://vault.example.com/ingestion/ch_test_x?ref=M%C3%A4kel%C3%A4'],
      absoluteForm: true,
    });
    expect(requestUrls('https://vault.example.com', '/ingestion/ch_test_x')).toEqual({ urls: ['https://vault.example.com/ingestion/ch_test_x'], absoluteForm: false });
  });
});
