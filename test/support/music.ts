import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from './media.js';

export interface ToneTrack {
  /** Path inside the pack, e.g. `Artist - Album (2019)/01 - Title.flac` (the extension picks the codec). */
  name: string;
  seconds?: number;
  frequency?: number;
  /** ffmpeg `-metadata` tags (none: an untagged file). */
  tags?: Record<string, string>;
}

const CODECS: Record<string, string[]> = {
  flac: ['-c:a', 'flac'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k'],
  ogg: ['-c:a', 'libvorbis', '-q:a', '2'],
  opus: ['-c:a', 'libopus', '-b:a', '64k'],
  m4a: ['-c:a', 'aac', '-b:a', '96k'],
  wav: ['-c:a', 'pcm_s16le', '-map_metadata', '-1'],
};

/** A sine tone of `seconds` encoded by ffmpeg with the tags given, in the codec its extension names. */
export function toneFile(path: string, track: Omit<ToneTrack, 'name'>): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  const extension = path.slice(path.lastIndexOf('.') + 1);
  const tags = Object.entries(track.tags ?? {}).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${track.frequency ?? 440}:sample_rate=44100:duration=${track.seconds ?? 3}`,
      ...CODECS[extension],
      ...tags,
      path,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return readFileSync(path);
}

/** A square picture (a colour field) as JPEG, for cover.jpg files and embedded covers. */
export function coverPicture(side: number, shade: number): Promise<Buffer> {
  return sharp({
    create: { width: side, height: side, channels: 3, background: { r: shade, g: 80, b: 255 - shade } },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A "FLAC": the format's magic bytes over noise, so it is classified as audio, and ffmpeg cannot decode it. */
export function undecodableFlac(): Buffer {
  return Buffer.concat([Buffer.from('fLaC'), randomBytes(20000)]);
}

export const SYNCED_LYRICS = '[00:00.50]First light\n[00:01.50]Over the ice';

/**
 * The album pack the music tests ingest (as a zip): a tagged album in three codecs with a cover.jpg,
 * synced lyrics, an untagged WAV named after its track, an undecodable "FLAC", and a compilation of
 * two artists with an embedded-cover-less, album-artist-less layout.
 */
export async function albumPackEntries(): Promise<{ name: string; content: Buffer }[]> {
  const dir = tempDir('sv-album-');
  const album = 'Lumen Quartet - Northern Lights (2019)';
  const common = { artist: 'Lumen Quartet', album: 'Northern Lights', date: '2019' };
  const tracks: ToneTrack[] = [
    {
      name: `${album}/01 - Aurora.flac`,
      frequency: 330,
      tags: { ...common, title: 'Aurora', track: '1/4', genre: 'Ambient; Electronic', LYRICS: SYNCED_LYRICS },
    },
    {
      name: `${album}/02 - Polar Night.mp3`,
      frequency: 440,
      tags: { ...common, title: 'Polar Night', track: '2/4', genre: 'Ambient', lyrics: 'Dark all day' },
    },
    {
      name: `${album}/03 - Borealis.ogg`,
      frequency: 550,
      tags: { ...common, title: 'Borealis', track: '3/4' },
    },
    { name: `${album}/05 - Untagged Song.wav`, frequency: 660, seconds: 2 },
    {
      name: 'Summer Hits/01 - Sun.opus',
      frequency: 700,
      tags: { title: 'Sun', artist: 'Ann Sun', album: 'Summer Hits', track: '1', genre: 'Pop' },
    },
    {
      name: 'Summer Hits/02 - Sea.m4a',
      frequency: 800,
      tags: { title: 'Sea', artist: 'Bob Sea', album: 'Summer Hits', track: '2', genre: 'Pop' },
    },
  ];
  const entries = tracks.map((track) => ({
    name: track.name,
    content: toneFile(join(dir, track.name), track),
  }));
  entries.push({ name: `${album}/cover.jpg`, content: await coverPicture(1600, 40) });
  entries.push({ name: `${album}/04 - Broken.flac`, content: undecodableFlac() });
  return entries;
}

/** Subsonic token credentials (`u`, `t` = md5(password + salt), `s`), as Subsonic apps send them. */
export function subsonicToken(
  username: string,
  password: string,
  salt: string,
): Record<'u' | 't' | 's', string> {
  return {
    u: username,
    t: createHash('md5')
      .update(password + salt)
      .digest('hex'),
    s: salt,
  };
}
