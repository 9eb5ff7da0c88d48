import { open, rm, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { indexAfterData, MP4_SUFFIXES } from '../mp4/mp4-layout.js';

/**
 * An M4A whose index (`moov`) follows its data, rewritten with the index first (ffmpeg `-c copy
 * -movflags +faststart`: no re-encoding, tags and cover kept), so a player or ffmpeg reading it from
 * the start — a pipe, the first range of a stream — has the index before the samples. Returns the
 * path of the rewritten file, or undefined when the file needs nothing (or ffmpeg could not rewrite
 * it: the original is then stored, and transcodes read it from a seekable copy).
 */
export async function faststartCopy(
  path: string,
  suffix: string,
  signal: AbortSignal,
): Promise<{ path: string } | { failed: string } | undefined> {
  if (!MP4_SUFFIXES.has(suffix.toLowerCase())) return undefined;
  const handle = await open(path, 'r');
  let needed: boolean;
  try {
    const { size } = await handle.stat();
    needed = await indexAfterData(async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await handle.close();
  }
  if (!needed) return undefined;
  // Same extension as the source, so ffmpeg picks the same muxer (ipod for .m4a: its M4A brand kept).
  const extension = suffix.toLowerCase() === 'alac' ? 'm4a' : suffix.toLowerCase();
  const target = `${path}.faststart.${extension}`;
  const run = await execa(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', path],
      ...['-map', '0', '-c', 'copy', '-map_metadata', '0', '-movflags', '+faststart', target],
    ],
    { cancelSignal: signal, detached: true, timeout: 300_000, reject: false },
  );
  if (signal.aborted) {
    await rm(target, { force: true });
    throw signal.reason ?? new Error('cancelled');
  }
  if (run.exitCode !== 0 || !(await stat(target).catch(() => undefined))) {
    await rm(target, { force: true });
    const line =
      String(run.stderr ?? '')
        .trim()
        .split('\n')
        .at(-1) ?? `exit code ${String(run.exitCode)}`;
    return { failed: line.slice(0, 200) };
  }
  return { path: target };
}
