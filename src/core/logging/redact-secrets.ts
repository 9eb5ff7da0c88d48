/**
 * App passwords (`svp_…`) travel in URL paths (the Stremio add-on's install URL) and query strings
 * (Subsonic's `p=`/`apiKey=`): they must never reach a log line. The prefix and a hint of the owner
 * stay, so a line still says which kind of credential was used. Old Subsonic clients send the
 * password hex-encoded (`p=enc:7376705f…`): any `enc:` hex is a password, and goes as a whole.
 */
const APP_PASSWORD = /svp_[A-Za-z0-9_-]+/g;
const HEX_PASSWORD = /enc:[0-9A-Fa-f]+/g;
export const REDACTED_APP_PASSWORD = 'svp_[redacted]';
export const REDACTED_HEX_PASSWORD = 'enc:[redacted]';

export function redactSecrets(text: string): string {
  // Most lines hold none: skip the regular expressions for them.
  let line = text.includes('svp_') ? text.replace(APP_PASSWORD, REDACTED_APP_PASSWORD) : text;
  if (line.includes('enc:')) line = line.replace(HEX_PASSWORD, REDACTED_HEX_PASSWORD);
  return line;
}
