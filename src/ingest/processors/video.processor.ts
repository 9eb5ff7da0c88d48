import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { LibraryService } from '../../library/library.service.js';
import { EnrichmentRequests } from '../../library/metadata/enrichment-requests.js';
import { type ParsedRelease } from '../../library/release-name/parsed-release.js';
import { type IngestItem, type ItemProbe } from '../items/ingest-item.js';
import { pathInSource } from '../items/path-in-source.js';
import { sha256File } from '../processing/checksum.js';
import { ContentStore } from '../processing/content-store.js';
import { ffprobeComplaint, MediaProber, mimeOf } from '../processing/media-prober.js';
import { VideoTools } from '../processing/video-tools.js';
import {
  ItemFailedError,
  type ItemContext,
  type MediaKindProcessor,
  resumedAsStored,
} from './media-kind-processor.js';
import { nameVideo } from './video-naming.js';

/**
 * Videos: faststart (an MP4 with its index at the end), probe and SHA-256 → stored once per content
 * (a file already holding it is reused) → filed under its title, a season pack's episodes in one
 * batch → after the task is done, stills and a sample.
 */
@Injectable()
export class VideoProcessor implements MediaKindProcessor {
  readonly kind = 'video' as const;
  readonly stage = 'main' as const;
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly content: ContentStore,
    private readonly prober: MediaProber,
    private readonly tools: VideoTools,
    private readonly enrichment: EnrichmentRequests,
  ) {}

  async process(context: ItemContext): Promise<void> {
    if (await resumedAsStored(context)) return;
    // The prepared fields are recorded with the store's first write, not on their own: every update
    // costs (FerretDB rewrites the task), and after a crash faststart and the hash are simply redone.
    const prepared = context.item.checksum ? {} : await this.prepare(context);
    await this.storeOnce(context, { ...context.item, ...prepared }, prepared);
  }

  /** faststart, then probe and checksum (the probe from classification is kept unless the file changed). */
  private async prepare(context: ItemContext): Promise<Partial<IngestItem>> {
    const { path, signal, item } = context;
    const faststart = await this.tools.faststart(path, signal);
    const probe = !faststart && item.probe ? item.probe : await this.probe(path, item.name, signal);
    if (probe.streams.video.length === 0 || !probe.duration) {
      throw new ItemFailedError('ffprobe found no playable video track with a duration in it');
    }
    // The direct engine hashed the file on its way in; a rewritten (faststart) file is hashed again.
    const download = context.task.download;
    const hashed = !faststart && download?.sha256 && download.path === path ? download.sha256 : undefined;
    const checksum = hashed ?? (await sha256File(path, signal));
    return { probe, checksum, faststart };
  }

  private async probe(path: string, name: string, signal: AbortSignal): Promise<ItemProbe> {
    try {
      const result = await this.prober.probe(path, signal);
      return { ...result, mime: mimeOf(result.formatName, name) };
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ItemFailedError(`not a readable video: ${ffprobeComplaint(error, path)}`);
    }
  }

  private async storeOnce(
    context: ItemContext,
    item: IngestItem,
    prepared: Partial<IngestItem>,
  ): Promise<void> {
    let unrecorded: Partial<IngestItem> = prepared;
    const name = basename(item.name);
    const probe = item.probe!;
    const { file, reused } = await this.content.storeOnce({
      sha256: item.checksum!,
      path: context.path,
      name,
      key: `${context.task._id}-${context.index}`,
      uploaded: item.uploadedParts ?? [],
      onUploaded: async (uploadedParts) => {
        await context.record({ ...unrecorded, uploadedParts });
        unrecorded = {};
      },
      facts: {
        mime: probe.mime,
        fileName: name,
        duration: probe.duration,
        streams: probe.streams,
        screenshots: [],
        episodes: [],
      },
    });
    if (reused)
      this.logger.log(`task ${context.task._id}: ${item.name} is already stored as file ${String(file._id)}`);
    await context.record({
      ...unrecorded,
      state: 'stored',
      fileId: String(file._id),
      storedParts: reused ? undefined : file.storage.parts,
      reusedFile: reused || undefined,
      // Content filed before keeps its place; new content is filed with the rest of the pack.
      titleId: reused && file.titleId ? String(file.titleId) : undefined,
    });
  }

  /**
   * Files the task's stored videos: each named from its path in the source and the task's hint (see
   * `nameVideo`), one title per show, one attach per title.
   */
  async file(batch: readonly ItemContext[]): Promise<void> {
    if (batch.length === 0) return;
    const task = batch[0].task;
    const videos = videoCount(batch[0]);
    const groups = new Map<string, { parsed: ParsedRelease; members: Named[] }>();
    const alreadyFiled: ItemContext[] = [];
    for (const context of batch) {
      if (context.item.titleId) {
        alreadyFiled.push(context);
        continue;
      }
      const parsed = nameVideo(pathInSource(context.item, task.download?.fileName), task.hint, videos);
      const key = `${parsed.kind}|${parsed.title.toLowerCase()}|${parsed.year ?? ''}`;
      const group = groups.get(key) ?? { parsed, members: [] };
      group.members.push({ context, parsed });
      groups.set(key, group);
    }
    for (const context of alreadyFiled)
      await context.record(this.doneFields(context.item, context.item.titleId!));
    for (const { parsed, members } of groups.values()) {
      try {
        await this.fileUnder(parsed, members);
      } catch (error) {
        // One show of a pack that cannot be filed (say, a name that parses to nothing) fails alone.
        if (!(error instanceof AppError) || error.getStatus() >= 500) throw error;
        const reason = `stored, but could not be filed: ${error.message}`;
        for (const { context } of members) await context.record({ state: 'failed', error: reason });
      }
    }
  }

  /** One title's files of the pack: one skeleton, one attach, notes on duplicate episodes. */
  private async fileUnder(show: ParsedRelease, members: Named[]) {
    const title = await this.library.upsertSkeleton({
      kind: show.kind,
      name: show.title,
      year: show.year,
    });
    const placements = members.map(({ context, parsed }) => ({
      context,
      season: parsed.kind === 'movie' ? undefined : parsed.season,
      episodes: parsed.episodes,
    }));
    const results = await this.library.attachFiles(
      title._id,
      placements.map(({ context, season, episodes }) => ({
        fileId: new Types.ObjectId(context.item.fileId),
        placement: { season, episodes },
      })),
    );
    const notes = duplicateNotes(placements);
    for (const [position, { context }] of placements.entries()) {
      const result = results[position];
      const note = result.attached
        ? notes.get(context.index)
        : `not filed where its name says: ${result.reason}`;
      await context.record({ ...this.doneFields(context.item, String(title._id)), note });
    }
    // Skeleton now, catalogue details when a worker gets to it (retried while TMDB/Jikan are down).
    if (title.enrichment?.state !== 'matched') await this.enrichment.request(title._id);
  }

  private doneFields(item: IngestItem, titleId: string): Partial<IngestItem> {
    const picture = Boolean(item.probe?.duration && item.probe.streams.video.length);
    return { state: 'done', titleId, artifactsPending: !item.reusedFile && picture ? true : undefined };
  }

  /**
   * Stills at 25/50/75% and a 30 s sample, stored under keys derived from the task and item (a
   * repeat replaces rather than duplicates) and attached to the file. Made from the sandbox copy, or
   * — when a crash took the sandbox — from a copy of the stored file.
   */
  async finish(context: ItemContext): Promise<void> {
    const { item, task, signal } = context;
    const duration = item.probe?.duration;
    if (!item.fileId || !duration) return;
    const dir = join(context.path + '.artifacts');
    await mkdir(dir, { recursive: true });
    try {
      const source = await this.artifactSource(context, dir);
      const shots = await this.tools.screenshots(source, duration, dir, signal);
      const sample = await this.tools.sample(source, duration, dir, signal);
      const name = basename(item.name);
      const key = `${task._id}-${context.index}`;
      const storedArtifacts: NonNullable<IngestItem['storedArtifacts']> = { screenshots: [] };
      for (const [index, shot] of shots.entries()) {
        const [part] = await this.store.put(shot, `${name}.screenshot-${index + 1}.webp`, {
          key: `${key}-screenshot-${index + 1}`,
        });
        storedArtifacts.screenshots.push(part);
      }
      if (sample) {
        [storedArtifacts.sample] = await this.store.put(sample, `${name}.sample${extname(sample)}`, {
          key: `${key}-sample`,
        });
      }
      const parts = [
        ...storedArtifacts.screenshots,
        ...(storedArtifacts.sample ? [storedArtifacts.sample] : []),
      ];
      if (!(await this.library.setFileArtifacts(new Types.ObjectId(item.fileId), storedArtifacts))) {
        await this.library.discardStored(this.store.kind, parts, 'file deleted while its stills were made');
      }
      await context.record({ storedArtifacts, artifactsPending: undefined });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The processed file if the sandbox still has it, else the stored file copied next to where it was. */
  private async artifactSource(context: ItemContext, dir: string): Promise<string> {
    if (existsSync(context.path)) return context.path;
    const file = await this.library.requireFile(new Types.ObjectId(context.item.fileId));
    this.logger.log(
      `task ${context.task._id}: ${context.item.name} is gone; making stills from the stored file`,
    );
    const copy = join(dir, `stored${extname(context.item.name)}`);
    await pipeStreams(this.store.read(file.storage.parts, 0, file.size - 1), createWriteStream(copy), {
      signal: context.signal,
    });
    return copy;
  }
}

/** A stored video with what its path and the hint say it is. */
interface Named {
  context: ItemContext;
  parsed: ParsedRelease;
}

function videoCount(context: ItemContext): number {
  return context.items().filter((item) => item.kind === 'video' && item.state !== 'skipped').length;
}

/** Two files of one pack naming the same episode are both kept (as versions of it); each says so. */
function duplicateNotes(
  placements: { context: ItemContext; season?: number; episodes: number[] }[],
): Map<number, string> {
  const seen = new Map<string, ItemContext[]>();
  for (const { context, season, episodes } of placements) {
    for (const episode of episodes) {
      const key = `S${String(season ?? 1).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
      seen.set(key, [...(seen.get(key) ?? []), context]);
    }
  }
  const notes = new Map<number, string>();
  for (const [code, contexts] of seen) {
    if (contexts.length < 2) continue;
    for (const context of contexts) {
      const others = contexts.filter((other) => other !== context).map((other) => other.item.name);
      notes.set(context.index, `${code} is also ${others.join(', ')}: both kept as versions of the episode`);
    }
  }
  return notes;
}
