import { type AudioItemInfo } from '../../ingest/items/ingest-item.js';
import { VARIOUS_ARTISTS } from '../model/music-ids.js';

export interface AlbumGroup<T> {
  album: string;
  /** The album artist: as tagged, else the one artist of every track, else Various Artists. */
  albumArtist: string;
  compilation: boolean;
  year?: number;
  coverFileId?: string;
  musicBrainzId?: string;
  /** The tracks' folder when no tag names the album artist: this batch alone decided it. */
  folder?: string;
  members: T[];
}

/**
 * Groups a task's tracks into albums: tracks of one folder with the same album name are one album
 * (two folders with the same album name are two albums unless the album artist says otherwise). An
 * album whose tracks name several artists and no album artist is a Various Artists compilation that
 * keeps each track's own artist.
 */
export function groupAlbums<T>(entries: readonly T[], infoOf: (entry: T) => AudioItemInfo): AlbumGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const info = infoOf(entry);
    const key = info.albumArtist
      ? `a\0${info.albumArtist.toLowerCase()}\0${info.album.toLowerCase()}`
      : `f\0${info.folder.toLowerCase()}\0${info.album.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()].map((members) => {
    const infos = members.map(infoOf);
    const tagged = infos.find((info) => info.albumArtist)?.albumArtist;
    const artists = new Set(infos.map((info) => info.artist.toLowerCase()));
    const flagged = infos.some((info) => info.compilation);
    const albumArtist = tagged ?? (artists.size === 1 && !flagged ? infos[0].artist : VARIOUS_ARTISTS);
    return {
      album: infos[0].album,
      albumArtist,
      compilation: flagged || albumArtist.toLowerCase() === VARIOUS_ARTISTS.toLowerCase(),
      year: infos.find((info) => info.year)?.year,
      coverFileId: infos.find((info) => info.coverFileId)?.coverFileId,
      musicBrainzId: infos.find((info) => info.musicBrainz.albumId)?.musicBrainz.albumId,
      folder: tagged ? undefined : infos[0].folder,
      members,
    };
  });
}
