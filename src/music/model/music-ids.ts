import { createHash } from 'node:crypto';

/** Ids are natural keys (a name, a file), so filing the same thing twice lands on the same record. */
export const VARIOUS_ARTISTS = 'Various Artists';

function digest(...parts: string[]): string {
  return createHash('sha1')
    .update(parts.map((part) => part.normalize('NFKC').trim().toLowerCase()).join('\0'))
    .digest('hex')
    .slice(0, 20);
}

export function artistId(name: string): string {
  return `ar-${digest(name)}`;
}

/**
 * `folder` only for an album no tag names the artist of that shares its artist and name with another
 * album of the same upload: its folder is what tells the two apart.
 */
export function albumId(albumArtist: string, album: string, folder?: string): string {
  return `al-${folder === undefined ? digest(albumArtist, album) : digest(albumArtist, album, folder)}`;
}

export function trackId(fileId: string): string {
  return `tr-${fileId}`;
}

export type MusicIdKind = 'artist' | 'album' | 'track';

export function kindOfId(id: string): MusicIdKind | undefined {
  if (/^ar-[0-9a-f]{20}$/.test(id)) return 'artist';
  if (/^al-[0-9a-f]{20}$/.test(id)) return 'album';
  if (/^tr-[0-9a-f]{24}$/.test(id)) return 'track';
  return undefined;
}
