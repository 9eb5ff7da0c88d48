import { mkdir, statfs } from 'node:fs/promises';

/** Bytes available to us on the filesystem holding `dir` (created if missing). */
export async function freeDiskBytes(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}
