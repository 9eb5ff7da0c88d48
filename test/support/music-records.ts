import { Types } from 'mongoose';
import { albumId, artistId, trackId } from '../../src/music/model/music-ids.js';
import { type MusicRepository } from '../../src/music/model/music.repository.js';

/**
 * Files an album of one track as records only (the catalog lists it, nothing streams it): a fresh
 * file id each time. Returns the album's id.
 */
export async function fileOneTrackAlbum(
  music: MusicRepository,
  { artist, album, title, track }: { artist: string; album: string; title: string; track?: number },
): Promise<string> {
  const id = albumId(artist, album);
  const fileId = new Types.ObjectId().toHexString();
  await music.fileAlbum(
    { _id: id, name: album, artistId: artistId(artist), artist, genres: [], compilation: false },
    [
      {
        _id: trackId(fileId),
        fileId,
        albumId: id,
        artistId: artistId(artist),
        albumArtistId: artistId(artist),
        title,
        artists: [artist],
        artist,
        album,
        ...(track === undefined ? {} : { track }),
        genres: [],
        duration: 60,
        suffix: 'mp3',
        contentType: 'audio/mpeg',
        compilation: false,
        musicBrainz: {},
        replayGain: {},
        size: 1000,
        path: `${artist}/${album}/01.mp3`,
        createdAt: new Date(),
      },
    ],
  );
  return id;
}
