import { type StreamInfo } from '../../library/schemas/media-file.schema.js';

/** What a file of a source is, told from its content (magic bytes, then ffprobe), not its name alone. */
export const MEDIA_KINDS = ['video', 'audio', 'comic', 'subtitle', 'image', 'other'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * An item's life: `pending` → `processing` → `stored` (bytes in the store, file registered) → `done`
 * (filed in the library); or `failed` (retry runs it again), `skipped` (not worth ingesting: a sample,
 * an NFO; the reason says why) or `unsupported` (a kind without a processor yet).
 */
export const ITEM_STATES = [
  'pending',
  'processing',
  'stored',
  'done',
  'failed',
  'skipped',
  'unsupported',
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States an item no longer leaves on its own (retry moves `failed` back to `pending`). */
export const FINAL_ITEM_STATES: ReadonlySet<ItemState> = new Set([
  'done',
  'failed',
  'skipped',
  'unsupported',
]);

export interface StoredRef {
  ref: string;
  size: number;
}

export interface ItemProbe {
  duration?: number;
  mime: string;
  formatName: string;
  streams: { video: StreamInfo[]; audio: StreamInfo[]; subtitles: StreamInfo[] };
}

/**
 * One file of a task's source (a season pack holds many; a plain link one). Each step's result is
 * recorded here, so a run that is retried or taken over resumes the item after its last finished step.
 */
export interface IngestItem {
  /** Where the file is, relative to the task's sandbox. */
  path: string;
  /** Its path inside the source (a torrent's folders, an archive's entries), as shown to people. */
  name: string;
  kind: MediaKind;
  size: number;
  state: ItemState;
  /** failed: what went wrong; skipped / unsupported: why it was not ingested. */
  error?: string;
  /** Something worth knowing about an item that went fine (an unknown subtitle language, a duplicate). */
  note?: string;
  /** Runs of this item (a retry of the task runs only its failed items again). */
  attempts?: number;
  /** subtitle: the video item it belongs to (position in `items`), and its language. */
  companionOf?: number;
  language?: string;
  /** From classification (ffprobe), kept so processing does not probe twice. */
  probe?: ItemProbe;
  checksum?: string;
  faststart?: boolean;
  uploadedParts?: StoredRef[];
  storedParts?: StoredRef[];
  /** Identical content was already stored: the existing file was used, nothing uploaded. */
  reusedFile?: boolean;
  fileId?: string;
  titleId?: string;
  /** Stills and sample of a video item, made after the task is done. */
  artifactsPending?: boolean;
  storedArtifacts?: { screenshots: StoredRef[]; sample?: StoredRef };
  /** comic: what the chapter is and its pages, read at processing, filed with the batch. */
  comic?: ComicItemInfo;
  /** audio: the track as read from its tags (or its file and folder names), filed with the batch. */
  audio?: AudioItemInfo;
}

/** An audio item's track as read at processing (music files it into artists, albums and tracks). */
export interface AudioItemInfo {
  title: string;
  /** Every credited artist; `artist` is how the track names them (one line). */
  artists: string[];
  artist: string;
  albumArtist?: string;
  album: string;
  track?: number;
  disc?: number;
  year?: number;
  genres: string[];
  /** Seconds. */
  duration: number;
  /** kbit/s. */
  bitRate?: number;
  sampleRate?: number;
  channels?: number;
  bitDepth?: number;
  codec?: string;
  suffix: string;
  contentType: string;
  compilation: boolean;
  musicBrainz: { trackId?: string; albumId?: string; artistId?: string; albumArtistId?: string };
  replayGain: { trackGain?: number; trackPeak?: number; albumGain?: number; albumPeak?: number };
  lyrics?: { plain?: string; synced?: { start: number; value: string }[]; lang?: string };
  /** The stored cover (embedded picture, else cover.jpg / folder.jpg of its folder), resized. */
  coverFileId?: string;
  /** The folder of the pack it came from ('' at the top), which groups tracks into an album. */
  folder: string;
}

/** A comic item's chapter as read from its ComicInfo.xml or its name (ReadVault files it). */
export interface ComicItemInfo {
  series: string;
  volume?: number;
  number?: number;
  title?: string;
  format: string;
  /** `offset`/`size`: where the page's bytes are in the stored CBZ (read with one range). */
  pages: { name: string; width: number; height: number; offset?: number; size?: number }[];
  rightToLeft: boolean;
  language?: string;
  writer?: string;
  penciller?: string;
  summary?: string;
  genres: string[];
}

/** Counts of a task's items by outcome, for progress lines and the end result. */
export interface ItemCounts {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  unsupported: number;
  /** pending, processing or stored: still being worked on. */
  active: number;
}

export function countItems(items: readonly Pick<IngestItem, 'state'>[]): ItemCounts {
  const counts: ItemCounts = {
    total: items.length,
    done: 0,
    failed: 0,
    skipped: 0,
    unsupported: 0,
    active: 0,
  };
  for (const item of items) {
    if (item.state === 'done') counts.done++;
    else if (item.state === 'failed') counts.failed++;
    else if (item.state === 'skipped') counts.skipped++;
    else if (item.state === 'unsupported') counts.unsupported++;
    else counts.active++;
  }
  return counts;
}
