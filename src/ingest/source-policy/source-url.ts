import { SourceRefusedError } from './source-refused.error.js';

export type SourceUrl = { kind: 'http'; url: URL } | { kind: 'magnet'; uri: string; infoHash: string };

const MAX_LENGTH = 8192;

/**
 * The ingest scheme allow-list: http, https (a `.torrent` is an http(s) URL too) and magnet. Everything
 * else — file:, ftp:, gopher:, data:, javascript: — is refused with the reason. Hosts come out of the
 * WHATWG parser normalised, so `http://2130706433/`, `http://0x7f.1/` and `http://0177.0.0.1/` all
 * read as 127.0.0.1 for the address check that follows.
 */
export function parseSourceUrl(raw: string): SourceUrl {
  const text = raw.trim();
  if (text.length === 0) throw new SourceRefusedError('The link is empty.');
  if (text.length > MAX_LENGTH)
    throw new SourceRefusedError(`The link is longer than ${MAX_LENGTH} characters.`);
  // No real link holds them, and a magnet is kept as sent (shown on pages, handed to aria2).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new SourceRefusedError('The link contains control characters (a line break, a tab, a NUL...).');
  if (/^magnet:/i.test(text)) return parseMagnet(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceRefusedError('That is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceRefusedError(
      `${url.protocol.replace(/:$/, '')}: links are not allowed; use http, https or magnet.`,
    );
  }
  if (url.username || url.password) {
    throw new SourceRefusedError('Links with a user name or password in them are not allowed.');
  }
  if (!url.hostname) throw new SourceRefusedError('The link has no host.');
  return { kind: 'http', url };
}

function parseMagnet(text: string): SourceUrl {
  const match = /[?&]xt=urn:(btih|btmh):([^&#]*)/i.exec(text);
  if (!match) throw new SourceRefusedError('The magnet link has no info hash (xt=urn:btih:...).');
  const infoHash = match[1].toLowerCase() === 'btih' ? btihHash(match[2]) : btmhHash(match[2]);
  if (!infoHash) {
    throw new SourceRefusedError(
      "The magnet link's info hash is malformed: btih takes 40 hex digits or 32 base32 characters, btmh a SHA-256 multihash (1220 and 64 hex digits).",
    );
  }
  return { kind: 'magnet', uri: text, infoHash };
}

/** The identity of a source for duplicate detection: a magnet is its info hash, whatever trackers it lists. */
export function sourceKey(source: SourceUrl): string {
  return source.kind === 'magnet' ? `btih:${source.infoHash}` : source.url.toString();
}

/** A v1 info hash comes as 40 hex digits or 32 base32 characters; both become lower-case hex. */
function btihHash(text: string): string | undefined {
  if (/^[0-9a-f]{40}$/i.test(text)) return text.toLowerCase();
  if (!/^[A-Z2-7]{32}$/i.test(text)) return undefined;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return (bits.match(/.{4}/g) ?? []).map((nibble) => parseInt(nibble, 2).toString(16)).join('');
}

/** A v2 info hash (BEP 52): a multihash, and BitTorrent v2 uses SHA-256 only (code 0x12, 32 bytes). */
function btmhHash(text: string): string | undefined {
  return /^1220[0-9a-f]{64}$/i.test(text) ? text.toLowerCase() : undefined;
}
