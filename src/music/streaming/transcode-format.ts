/** Formats `stream` transcodes to, with what ffmpeg needs and what the client is told. */
export const TRANSCODE_FORMATS = {
  mp3: { codec: 'libmp3lame', muxer: 'mp3', contentType: 'audio/mpeg', suffix: 'mp3', defaultKbps: 192 },
  opus: { codec: 'libopus', muxer: 'ogg', contentType: 'audio/ogg', suffix: 'opus', defaultKbps: 128 },
  aac: { codec: 'aac', muxer: 'adts', contentType: 'audio/aac', suffix: 'aac', defaultKbps: 192 },
} as const;
export type TranscodeFormat = keyof typeof TRANSCODE_FORMATS;

export interface TranscodePlan {
  format: TranscodeFormat;
  kbps: number;
  /** Seconds to skip (OpenSubsonic transcodeOffset). */
  offset: number;
}

export class TranscodeRequestError extends Error {}

/**
 * What `stream` should send: undefined for the original bytes (no format, `raw`, or a bit rate limit
 * the track already meets), else the transcode. `maxBitRate` without a format re-encodes to mp3.
 */
export function planTranscode(
  track: { suffix: string; bitRate?: number },
  format: string | undefined,
  maxBitRate: number,
  timeOffset: number,
): TranscodePlan | undefined {
  const wanted = format?.toLowerCase();
  if (wanted === 'raw') return undefined;
  if (wanted !== undefined && wanted !== '' && !Object.hasOwn(TRANSCODE_FORMATS, wanted)) {
    throw new TranscodeRequestError(`format must be raw, mp3, opus or aac (not ${wanted.slice(0, 20)})`);
  }
  const limited = maxBitRate > 0 && (track.bitRate === undefined || track.bitRate > maxBitRate);
  if (!wanted && !limited && timeOffset === 0) return undefined;
  const chosen = (wanted || (track.suffix === 'opus' ? 'opus' : 'mp3')) as TranscodeFormat;
  if (!limited && timeOffset === 0 && chosen === track.suffix) return undefined;
  const spec = TRANSCODE_FORMATS[chosen];
  const kbps = Math.max(32, Math.min(320, maxBitRate > 0 ? maxBitRate : spec.defaultKbps));
  return { format: chosen, kbps, offset: timeOffset };
}

/**
 * ffmpeg's arguments: audio from stdin (or a file, for a source ffmpeg must seek in), the first audio
 * track, encoded to the plan, to stdout.
 */
export function ffmpegArguments(plan: TranscodePlan, input = 'pipe:0'): string[] {
  const spec = TRANSCODE_FORMATS[plan.format];
  return [
    '-hide_banner',
    '-v',
    'error',
    ...(plan.offset > 0 ? ['-ss', String(plan.offset)] : []),
    '-i',
    input,
    '-map',
    '0:a:0',
    '-vn',
    '-map_metadata',
    '-1',
    '-c:a',
    spec.codec,
    '-b:a',
    `${plan.kbps}k`,
    // Ogg pages of 20 ms and a flush per packet: the first bytes leave as soon as they are encoded.
    ...(plan.format === 'opus' ? ['-ar', '48000', '-page_duration', '20000'] : []),
    '-flush_packets',
    '1',
    '-f',
    spec.muxer,
    'pipe:1',
  ];
}
