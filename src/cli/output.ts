/** Printing for the CLI: JSON on request, readable text otherwise. */

/**
 * A coded error answer as the terminal shows it: `headline` (code, title, detail), then the problem's `remedy` (the
 * catalogue's advice: RFC 9457 problem+json extension) and the wait (Retry-After, seconds), each on its own line. Every
 * problem answer the CLI prints — of /api/v1, /admin/v1 and the SDK's calls — goes through here.
 */
export function describeProblem(headline: string, problem: unknown, retryAfterS?: number): string {
  const remedy = problem && typeof problem === 'object' ? (problem as Record<string, unknown>).remedy : undefined;
  const lines = [headline];
  if (typeof remedy === 'string' && remedy) lines.push(`  ${remedy}`);
  if (retryAfterS !== undefined) lines.push(`  retry in ${retryAfterS} s`);
  return lines.join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** An object as aligned `key  value` lines. */
export function printRecord(rec: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(rec).map((k) => k.length));
  for (const [k, v] of Object.entries(rec)) process.stdout.write(`${k.padEnd(width)}  ${cell(v)}\n`);
}

/** Rows as an aligned table with the given columns. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]): string => `${vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  process.stdout.write(line(columns));
  for (const row of cells) process.stdout.write(line(row));
}

/** A page of a list (`{ items, nextCursor }`) as a table, then `more: --cursor …` when there is a next page. */
export function printPage(page: { items: Record<string, unknown>[]; nextCursor?: string | null }, columns: string[]): void {
  printTable(page.items, columns);
  if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
}
