import { extname } from 'node:path';
import { type IAudioMetadata, parseFile } from 'music-metadata';
import { type AudioItemInfo } from '../../ingest/items/ingest-item.js';
import { parseLrc, splitGenres, trackFromPath, UNKNOWN_ALBUM, UNKNOWN_ARTIST } from './track-naming.js';

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  wma: 'audio/x-ms-wma',
  aif: 'audio/aiff',
  aiff: 'audio/aiff',
};

export interface ReadTags {
  info: Omit<AudioItemInfo, 'coverFileId'>;
  /** The largest embedded picture, if any (front cover preferred). */
  picture?: Uint8Array;
}

/**
 * A track's description from its tags (music-metadata), each missing field filled from its path
 * (`trackFromPath`): a file with broken or no tags still gets a title, an artist and an album.
 */
export async function readAudioTags(
  path: string,
  name: string,
  fallbackDuration?: number,
): Promise<ReadTags> {
  let metadata: IAudioMetadata | undefined;
  try {
    metadata = await parseFile(path, { duration: true });
  } catch {
    metadata = undefined;
  }
  const common = metadata?.common;
  const format = metadata?.format;
  const named = trackFromPath(name);
  const suffix = extname(name).slice(1).toLowerCase() || 'bin';
  const artists = (common?.artists?.length ? common.artists : common?.artist ? [common.artist] : [])
    .map((artist) => artist.trim())
    .filter(Boolean);
  const artist = common?.artist?.trim() || artists.join(', ') || named.artist || UNKNOWN_ARTIST;
  const lyricsTag = common?.lyrics?.find((tag) => tag.syncText.length > 0) ?? common?.lyrics?.[0];
  const lyricsText = lyricsTag?.text ?? nativeLyrics(metadata);
  const synced = lyricsTag?.syncText.length
    ? lyricsTag.syncText.map((line) => ({ start: line.timestamp ?? 0, value: line.text }))
    : lyricsText
      ? parseLrc(lyricsText)
      : undefined;
  const pictures = [...(common?.picture ?? [])].sort(
    (a, b) =>
      Number(/front/i.test(b.type ?? '')) - Number(/front/i.test(a.type ?? '')) ||
      b.data.length - a.data.length,
  );
  const year = common?.year ?? named.year;
  return {
    picture: pictures[0]?.data,
    info: {
      title: common?.title?.trim() || named.title,
      artists: artists.length > 0 ? artists : [artist],
      artist,
      albumArtist: common?.albumartist?.trim() || undefined,
      album: common?.album?.trim() || named.album || UNKNOWN_ALBUM,
      track: common?.track?.no ?? named.track,
      disc: common?.disk?.no ?? named.disc,
      year: year && year > 0 && year < 10000 ? year : undefined,
      genres: splitGenres(common?.genre ?? []),
      duration: Math.round(format?.duration ?? fallbackDuration ?? 0),
      bitRate: format?.bitrate ? Math.round(format.bitrate / 1000) : undefined,
      sampleRate: format?.sampleRate,
      channels: format?.numberOfChannels,
      bitDepth: format?.bitsPerSample,
      codec: format?.codec,
      suffix,
      contentType: CONTENT_TYPES[suffix] ?? 'application/octet-stream',
      compilation: common?.compilation ?? false,
      musicBrainz: {
        trackId: common?.musicbrainz_recordingid,
        albumId: common?.musicbrainz_albumid,
        artistId: common?.musicbrainz_artistid?.[0],
        albumArtistId: common?.musicbrainz_albumartistid?.[0],
      },
      replayGain: {
        trackGain: common?.replaygain_track_gain?.dB,
        trackPeak: common?.replaygain_track_peak?.ratio,
        albumGain: common?.replaygain_album_gain?.dB,
        albumPeak: common?.replaygain_album_peak?.ratio,
      },
      lyrics:
        lyricsText || synced
          ? { plain: synced ? undefined : lyricsText, synced, lang: lyricsTag?.language || undefined }
          : undefined,
      folder: name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '',
    },
  };
}

/** Lyrics some taggers (ffmpeg among them) write as a user text frame `TXXX:LYRICS` rather than USLT. */
function nativeLyrics(metadata: IAudioMetadata | undefined): string | undefined {
  for (const tags of Object.values(metadata?.native ?? {})) {
    for (const tag of tags) {
      if (/^(TXXX:)?(USLT|(UNSYNCED)?LYRICS)$/i.test(tag.id) && typeof tag.value === 'string')
        return tag.value;
    }
  }
  return undefined;
}
