/**
 * Credentials must never reach a log line (the panel shows the recent ones to every admin):
 * - app passwords (`svp_…`) travel in URL paths (the Stremio add-on's install URL) and query strings
 *   (Subsonic's `p=`/`apiKey=`); the prefix stays, so a line still says which kind was used;
 * - old Subsonic clients send the password hex-encoded (`p=enc:7376705f…`): any `enc:` hex goes whole;
 * - Subsonic's `p=` (a typed password), `t=` + `s=` (token and salt: replayable as they are) and
 *   `apiKey=`; sign-in links' tokens (`/auth/magic/<token>`); party tickets and other `token=`s.
 */
const APP_PASSWORD = /svp_[A-Za-z0-9_-]+/g;
const HEX_PASSWORD = /enc:[0-9A-Fa-f]+/g;
/** Query values that are credentials anywhere, and those that are on Subsonic's `/rest/` only. */
// Values already cut to their kind (`svp_[redacted]`, `enc:[redacted]`) keep saying which it was.
const SECRET_PARAMS = /([?&](?:apiKey|token|ticket|password)=)(?!svp_\[|enc:\[)[^&\s"'\\]+/g;
const SUBSONIC_SECRET_PARAMS = /([?&](?:p|t|s)=)(?!svp_\[|enc:\[)[^&\s"'\\]+/g;
const MAGIC_LINK = /(\/auth\/magic\/)[^/?\s"'\\]+/g;
export const REDACTED_APP_PASSWORD = 'svp_[redacted]';
export const REDACTED_HEX_PASSWORD = 'enc:[redacted]';
export const REDACTED = '[redacted]';

export function redactSecrets(text: string): string {
  // Most lines hold none: skip the regular expressions for them.
  let line = text.includes('svp_') ? text.replace(APP_PASSWORD, REDACTED_APP_PASSWORD) : text;
  if (line.includes('enc:')) line = line.replace(HEX_PASSWORD, REDACTED_HEX_PASSWORD);
  if (!line.includes('=') && !line.includes('/auth/magic/')) return line;
  line = line.replace(SECRET_PARAMS, `$1${REDACTED}`);
  if (line.includes('/rest/')) line = line.replace(SUBSONIC_SECRET_PARAMS, `$1${REDACTED}`);
  return line.replace(MAGIC_LINK, `$1${REDACTED}`);
}

/** The first admin's generated password, printed once for the operator at the terminal. */
const SHOWN_ONCE = /(with password: )\S+(\s+\(shown once)/;

/**
 * A line as the panel's live log shows it (to every admin, and kept in its history): also without
 * what is meant for the operator's terminal only.
 */
export function redactForViewers(line: string): string {
  return line.includes('(shown once') ? line.replace(SHOWN_ONCE, `$1${REDACTED}$2`) : line;
}
