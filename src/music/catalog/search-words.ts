/** Lower-case words without accents: what search matches (each query word a prefix of some word). */
export function searchWords(...texts: (string | undefined)[]): string[] {
  const words = texts
    .filter((text): text is string => Boolean(text))
    .join(' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return [...new Set(words)];
}

/** Whether every word of the query starts some word of the entry. */
export function matchesAll(query: readonly string[], words: readonly string[]): boolean {
  return query.every((wanted) => words.some((word) => word.startsWith(wanted)));
}
