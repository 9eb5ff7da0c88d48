import { basename } from 'node:path';
import { execa } from 'execa';

/** Seconds of a track decoded at ingest to tell a playable file from a broken one (a 10-hour WAV stays cheap). */
const CHECK_SECONDS = 30;

/**
 * Decodes the start of the first audio track with ffmpeg; the reason, for people, when ffmpeg cannot
 * (an unknown codec, a truncated or mislabelled file), else undefined.
 */
export async function undecodableReason(path: string, signal: AbortSignal): Promise<string | undefined> {
  const run = await execa(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-xerror',
      '-t',
      String(CHECK_SECONDS),
      '-i',
      path,
      '-map',
      '0:a:0',
      '-f',
      'null',
      '-',
    ],
    { cancelSignal: signal, detached: true, timeout: 120_000, reject: false },
  );
  if (signal.aborted) throw signal.reason ?? new Error('cancelled');
  if (run.exitCode === 0) return undefined;
  const line =
    String(run.stderr ?? '')
      .split('\n')
      .map((text) => text.trim())
      .filter(Boolean)
      .at(-1) ?? `exit code ${String(run.exitCode)}`;
  const said = line.replaceAll(path, basename(path)).replace(/^\[[^\]]*\]\s*/, '');
  return `ffmpeg cannot decode it: ${said.slice(0, 200)}`;
}
