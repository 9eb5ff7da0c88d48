/** Where an ad-carrying page may load from besides itself: the owner's listed ad origins. */
export interface AdPolicySources {
  /** The page's nonce: ad snippets' script and style tags carry it. */
  nonce: string;
  origins: readonly string[];
}

const WIDENED = ['script-src', 'style-src', 'img-src', 'media-src', 'connect-src', 'frame-src'];

/**
 * The page's Content-Security-Policy widened for its ads, and only for them: scripts and styles also
 * with the page's nonce and from the listed origins; images, media, fetches (VAST) and frames from the
 * listed origins. Every other directive stays as it was.
 */
export function widenPolicy(policy: string, sources: AdPolicySources): string {
  const directives = policy
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => part.split(/\s+/));
  const extra = (name: string) =>
    name === 'script-src' || name === 'style-src'
      ? [`'nonce-${sources.nonce}'`, ...sources.origins]
      : [...sources.origins];
  for (const name of WIDENED) {
    const directive = directives.find(([directiveName]) => directiveName === name);
    if (directive) directive.push(...extra(name).filter((source) => !directive.includes(source)));
    else if (name === 'frame-src' && sources.origins.length > 0) directives.push([name, ...sources.origins]);
  }
  return directives.map((parts) => parts.join(' ')).join(';');
}
