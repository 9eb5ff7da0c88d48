import { type AudioItemInfo } from '../../ingest/items/ingest-item.js';
import { albumId, VARIOUS_ARTISTS } from '../model/music-ids.js';
import { DISC_FOLDER } from './track-naming.js';

export interface AlbumGroup<T> {
  /** The album's natural key (see `albumId`). */
  id: string;
  album: string;
  /**
   * The album artist: as tagged, else the one (primary) artist of every track, else Various Artists.
   */
  albumArtist: string;
  compilation: boolean;
  year?: number;
  coverFileId?: string;
  musicBrainzId?: string;
  /**
   * The album's folder (a disc folder's parent) when no tag names the album artist: this upload
   * alone decided it.
   */
  folder?: string;
  members: T[];
}

/**
 * Groups an upload's tracks into albums: tracks of one folder (or of its disc folders, `CD1`, `CD2`)
 * with the same album name are one album; two folders with the same album name are two albums unless
 * the album artist tag says otherwise, and stay two albums when their artist is the same too. An
 * album whose tracks name several artists and no album artist is a Various Artists compilation that
 * keeps each track's own artist.
 */
export function groupAlbums<T>(entries: readonly T[], infoOf: (entry: T) => AudioItemInfo): AlbumGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const info = infoOf(entry);
    const key = info.albumArtist
      ? `a\0${info.albumArtist.toLowerCase()}\0${info.album.toLowerCase()}`
      : `f\0${albumFolder(info.folder).toLowerCase()}\0${info.album.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const albums = [...groups.values()].map((members) => {
    const infos = members.map(infoOf);
    const tagged = infos.find((info) => info.albumArtist)?.albumArtist;
    const flagged = infos.some((info) => info.compilation);
    const albumArtist = tagged ?? (flagged ? undefined : sharedArtist(infos)) ?? VARIOUS_ARTISTS;
    return {
      id: albumId(albumArtist, infos[0].album),
      album: infos[0].album,
      albumArtist,
      compilation: flagged || albumArtist.toLowerCase() === VARIOUS_ARTISTS.toLowerCase(),
      year: infos.find((info) => info.year)?.year,
      coverFileId: infos.find((info) => info.coverFileId)?.coverFileId,
      musicBrainzId: infos.find((info) => info.musicBrainz.albumId)?.musicBrainz.albumId,
      folder: tagged ? undefined : albumFolder(infos[0].folder),
      members,
    };
  });
  // Untagged albums of one artist and name in several folders ("Greatest Hits" twice, two
  // compilations): the same natural key would merge them, so each one's folder joins its key.
  const untagged = albums.filter((album) => album.folder !== undefined).map((album) => album.id);
  for (const album of albums) {
    const shared = untagged.indexOf(album.id) !== untagged.lastIndexOf(album.id);
    if (album.folder !== undefined && shared)
      album.id = albumId(album.albumArtist, album.album, album.folder);
  }
  return albums;
}

/** The folder an album's tracks are in, a disc's folder standing for its album's: `Live/CD2` → `Live`. */
function albumFolder(folder: string): string {
  const segments = folder.split('/');
  return DISC_FOLDER.test(segments.at(-1)!) ? segments.slice(0, -1).join('/') : folder;
}

/** "feat. Guest", "(ft. Guest)", "featuring Guest", "with Guest": a guest credit, not the artist. */
const FEATURING = /\s*[([]?\s*\b(?:feat\.?|ft\.?|featuring|with)\s.*$/i;
/** What may follow the artist in a shared credit: a guest, or a second artist ("& Guest", "x Guest"). */
const JOINED = /^\s*(?:[([]?\s*(?:feat\.?|ft\.?|featuring|with|and|vs\.?|x)\s|[&,;/+])/i;

/**
 * The artist every track credits first, or undefined when the tracks are by different artists. One
 * guest on one track ("Artist feat. Guest") does not make an artist's album a compilation; a duo's
 * own name ("Simon & Garfunkel") is kept whole when every track credits it.
 */
function sharedArtist(infos: readonly AudioItemInfo[]): string | undefined {
  const credits = infos.map((info) => info.artist.trim());
  if (new Set(credits.map((credit) => credit.toLowerCase())).size === 1) return credits[0];
  const primary = credits
    .map((credit) => credit.replace(FEATURING, '').trim() || credit)
    .reduce((shortest, name) => (name.length < shortest.length ? name : shortest));
  const key = primary.toLowerCase();
  const sameArtist = credits.every((credit) => {
    const lower = credit.toLowerCase();
    return lower === key || (lower.startsWith(key) && JOINED.test(lower.slice(key.length)));
  });
  return sameArtist ? primary : undefined;
}
