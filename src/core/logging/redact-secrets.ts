/**
 * App passwords (`svp_…`) travel in URL paths (the Stremio add-on's install URL) and query strings
 * (Subsonic's `p=`/`apiKey=`): they must never reach a log line. The prefix and a hint of the owner
 * stay, so a line still says which kind of credential was used.
 */
const APP_PASSWORD = /svp_[A-Za-z0-9_-]+/g;
export const REDACTED_APP_PASSWORD = 'svp_[redacted]';

export function redactSecrets(text: string): string {
  // Most lines hold none: skip the regular expression for them.
  return text.includes('svp_') ? text.replace(APP_PASSWORD, REDACTED_APP_PASSWORD) : text;
}
