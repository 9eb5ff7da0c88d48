/** Telegram serves files in requests of at most 1 MiB that never cross a 1 MiB boundary. */
export const BLOCK_SIZE = 1024 * 1024;

export interface PlannedBlock {
  /** Index of the stored part this block reads. */
  part: number;
  /** `upload.GetFile` offset within the part: a multiple of BLOCK_SIZE (so of 4096). */
  offset: number;
  /** `upload.GetFile` limit: BLOCK_SIZE, which divides 1 MiB and is a multiple of 4096. */
  limit: number;
  /** The slice of the returned bytes that belongs to the requested range: [keepStart, keepEnd). */
  keepStart: number;
  keepEnd: number;
}

/**
 * Maps bytes `start..endInclusive` of a file made of parts (sizes in order) to aligned GetFile requests,
 * with the slice to keep from each — only the first and last block are ever trimmed.
 */
export function planBlocks(
  partSizes: readonly number[],
  start: number,
  endInclusive: number,
): PlannedBlock[] {
  const blocks: PlannedBlock[] = [];
  let partStart = 0;
  partSizes.forEach((size, part) => {
    const partEnd = partStart + size - 1;
    if (size > 0 && partEnd >= start && partStart <= endInclusive) {
      const from = Math.max(start, partStart) - partStart;
      const to = Math.min(endInclusive, partEnd) - partStart;
      for (let offset = Math.floor(from / BLOCK_SIZE) * BLOCK_SIZE; offset <= to; offset += BLOCK_SIZE) {
        blocks.push({
          part,
          offset,
          limit: BLOCK_SIZE,
          keepStart: Math.max(from - offset, 0),
          keepEnd: Math.min(to - offset + 1, BLOCK_SIZE),
        });
      }
    }
    partStart += size;
  });
  return blocks;
}
