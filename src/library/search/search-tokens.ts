/**
 * Search normalisation shared by indexing and querying: lowercase, diacritics stripped, punctuation
 * removed, split on whitespace. "Amélie (2001)" → ["amelie", "2001"]; "Spider-Man" → ["spider", "man"].
 */
export function searchTokens(...texts: (string | number | undefined | null)[]): string[] {
  const tokens = new Set<string>();
  for (const text of texts) {
    if (text === undefined || text === null) continue;
    for (const token of normalizeText(String(text)).split(' ')) if (token) tokens.add(token);
  }
  return [...tokens];
}

export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Escapes a token for use inside an anchored prefix regex. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A title's search tokens: its name, original name, aliases and year. */
export function titleTokens(title: {
  name: string;
  originalName?: string;
  aliases?: string[];
  year?: number;
}): string[] {
  return searchTokens(title.name, title.originalName, ...(title.aliases ?? []), title.year);
}
