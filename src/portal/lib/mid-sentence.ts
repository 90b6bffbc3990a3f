/**
 * A button label as it reads mid-sentence in the question ("Approve Koodi Oy" → "Really approve Koodi Oy?"): the
 * first letter lower-cased, unless the first word is an acronym or a name in capitals ("TOTP", "API").
 */
export function midSentence(label: string): string {
  const [a, b] = [...label];
  if (a === undefined || (b !== undefined && b !== b.toLowerCase())) return label;
  return a.toLowerCase() + label.slice(a.length);
}
