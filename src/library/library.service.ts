import { Injectable, Logger } from '@nestjs/common';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { CatalogQueryService } from './catalog/catalog-query.service.js';
import { Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { CommentRepository } from './comment.repository.js';
import { ContentKeyRepository } from './content-key.repository.js';
import { EpisodeCommentRepository } from './episode-comment.repository.js';
import { TitleDependents } from './title-dependents.js';
import { FileScopes } from './file-scopes.js';
import { FileChangeBus } from './file-change.bus.js';
import { FileTotals } from './file-totals.service.js';
import { type FileCard } from './file-card.js';
import { MediaFileRepository, type NewMediaFile } from './media-file.repository.js';
import { type StorageKind } from '../core/config/app-config.js';
import { type MediaFile, type StoragePart, type StreamInfo } from './schemas/media-file.schema.js';
import { type TitleEnrichment } from './schemas/title.schema.js';
import { PendingDeletionRepository } from './pending-deletion.repository.js';
import { type TitleKind } from './release-name/parsed-release.js';
import { allFiles, filesOfEpisode, withFile, withoutEpisode, withoutFile } from './season-buckets.js';
import { titleTokens } from './search/search-tokens.js';
import {
  type EditableField,
  EDITABLE_FIELDS,
  type ExternalIds,
  type SeasonBucket,
  type Title,
  type EpisodeStill,
  type TitleArtwork,
} from './schemas/title.schema.js';
import { TitleKeyRepository } from './title-key.repository.js';
import { externalKeys, nameKey } from './title-keys.js';
import { TitleRepository } from './title.repository.js';
import { CatalogIndexer } from './catalog/catalog-indexer.js';

export interface SkeletonInput {
  kind: TitleKind;
  name: string;
  year?: number;
  externalIds?: ExternalIds;
}

export interface Placement {
  season?: number;
  episodes?: number[];
}

/** A sidecar subtitle track: where the original and its WebVTT rendition are stored. */
export type ExternalSubtitle = Omit<StreamInfo, 'index' | 'external'> & {
  vtt: StoragePart;
  external: NonNullable<StreamInfo['external']>;
};

export type AttachResult = { attached: true } | { attached: false; reason: string };

export type TitleFields = Partial<Pick<Title, EditableField>>;

/** How many lost optimistic-concurrency races an edit of the bucket tree tolerates before giving up. */
const MAX_RACES = 20;

/** The library's write side: titles, their season/episode buckets and files, and their removal. */
@Injectable()
export class LibraryService {
  private readonly logger = new Logger('library');

  constructor(
    private readonly titles: TitleRepository,
    private readonly keys: TitleKeyRepository,
    private readonly files: MediaFileRepository,
    private readonly deletions: PendingDeletionRepository,
    private readonly comments: CommentRepository,
    private readonly episodeComments: EpisodeCommentRepository,
    private readonly mutex: RedisMutex,
    private readonly contentKeys: ContentKeyRepository,
    private readonly catalog: CatalogIndexer,
    private readonly fileChanges: FileChangeBus,
    private readonly totals: FileTotals,
    private readonly dependents: TitleDependents,
    private readonly catalogQuery: CatalogQueryService,
    private readonly fileScopes: FileScopes,
  ) {}

  /**
   * Finds the title by external id, else by normalised name + year + kind, or creates a skeleton.
   * Idempotent under concurrency: creating means first claiming the strongest natural key (an insert
   * keyed by `_id`, unique everywhere); whoever loses the claim reads the winner's title.
   */
  async upsertSkeleton(input: SkeletonInput): Promise<Title> {
    const name = input.name.trim();
    if (!name) throw new AppError(400, 'bad_request', 'A title needs a name.');
    const keys = [...externalKeys(input.kind, input.externalIds), nameKey(input.kind, name, input.year)];
    for (let attempt = 0; attempt < MAX_RACES; attempt++) {
      const [owner] = await this.keys.owners(keys);
      const titleId = owner?.titleId ?? new Types.ObjectId();
      if (!owner && !(await this.keys.claim(keys[0], titleId))) continue;
      // Also done for an existing owner: a crash between claim and insert leaves a key without a title.
      await this.titles.insertIfAbsent(titleId, this.skeleton(input, name));
      const held = owner?.key ?? keys[0];
      for (const key of keys) if (key !== held) await this.keys.claim(key, titleId);
      const title = await this.titles.findById(titleId);
      if (title) {
        await this.catalog.sync(title._id);
        return title;
      }
    }
    throw new AppError(
      503,
      'service_unavailable',
      'The library is too busy to file this title; retry shortly.',
    );
  }

  /**
   * Files `fileId` under the title: a movie's file list, or a series' season/episode buckets (created
   * as needed, never holding a file twice). A movie is never given seasons: the conflicting placement
   * is recorded as a mismatch for an admin instead.
   */
  async attachFile(
    titleId: Types.ObjectId,
    fileId: Types.ObjectId,
    placement: Placement = {},
  ): Promise<AttachResult> {
    const [result] = await this.attachFiles(titleId, [{ fileId, placement }]);
    return result;
  }

  /**
   * Files several files under one title in one go (a season pack): one lock, one rewrite of the
   * season tree. Results in the order given.
   */
  async attachFiles(
    titleId: Types.ObjectId,
    entries: readonly { fileId: Types.ObjectId; placement?: Placement }[],
  ): Promise<AttachResult[]> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const known = new Set(
        (await this.files.findByIds(entries.map((e) => e.fileId))).map((f) => String(f._id)),
      );
      const results: AttachResult[] = [];
      const filed: { fileId: Types.ObjectId; season: number; episodes: number[] }[] = [];
      const placed: Types.ObjectId[] = [];
      for (const { fileId, placement = {} } of entries) {
        if (!known.has(String(fileId))) throw notFound('file', fileId);
        const episodes = [...new Set(placement.episodes ?? [])].sort((a, b) => a - b);
        if (title.kind === 'movie') {
          if (placement.season !== undefined || episodes.length > 0) {
            const reason = `"${title.name}" is a movie; refusing season ${placement.season ?? '?'} episode ${episodes.join(',') || '?'}`;
            results.push(await this.mismatch(title, fileId, reason, placement.season, episodes));
            continue;
          }
          await this.titles.addMovieFile(title._id, fileId);
          await this.files.setPlacement(fileId, title._id);
          placed.push(fileId);
          results.push({ attached: true });
          continue;
        }
        if (episodes.length === 0) {
          const reason = `"${title.name}" is a ${title.kind}; the file has no episode number`;
          results.push(await this.mismatch(title, fileId, reason));
          continue;
        }
        // Absolute-numbered anime episodes live in season 1.
        filed.push({ fileId, season: placement.season ?? 1, episodes });
        results.push({ attached: true });
      }
      if (filed.length > 0) {
        await this.editSeasons(title, (seasons) =>
          filed.reduce((tree, f) => withFile(tree, f.season, f.episodes, f.fileId), seasons),
        );
        for (const f of filed) await this.files.setPlacement(f.fileId, title._id, f.season, f.episodes);
      }
      // The files' titleId changed: a cached record would judge a site's scope by the title they had.
      await this.fileChanges.publish([...placed, ...filed.map((f) => f.fileId)]);
      return results;
    });
  }

  /** Fills metadata without touching fields an admin has edited (`lockedFields`). */
  async enrich(titleId: Types.ObjectId, metadata: TitleFields): Promise<Title> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const set: TitleFields = {};
      for (const field of EDITABLE_FIELDS) {
        if (metadata[field] !== undefined && !title.lockedFields.includes(field)) {
          (set as Record<string, unknown>)[field] = metadata[field];
        }
      }
      return this.applyFields(title, set, []);
    });
  }

  async recordEnrichment(titleId: Types.ObjectId, enrichment: TitleEnrichment): Promise<void> {
    await this.titles.setFields(titleId, { enrichment });
    await this.catalog.sync(titleId);
  }

  /** An admin's edit: applied as given, and the edited fields are locked against enrichment. */
  async updateTitle(titleId: Types.ObjectId, fields: TitleFields): Promise<Title> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const edited = EDITABLE_FIELDS.filter((field) => fields[field] !== undefined);
      return this.applyFields(title, fields, edited);
    });
  }

  /** Removes one file from its title; episodes and seasons it leaves empty go too. */
  async deleteFile(titleId: Types.ObjectId, fileId: Types.ObjectId): Promise<void> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const inTitle =
        title.fileIds.some((id) => id.equals(fileId)) ||
        allFiles(title.seasons).some((id) => id.equals(fileId));
      if (!inTitle) throw notFound('file', fileId, `in title ${String(titleId)}`);
      await this.forgetFiles([fileId], 'file deleted');
      if (title.kind === 'movie') await this.titles.pullMovieFile(title._id, fileId);
      else await this.editSeasons(title, (seasons) => withoutFile(seasons, fileId));
    });
  }

  /**
   * Removes file records no title lists (a manga chapter's CBZ, which its chapter record points at);
   * their stored bytes are queued for deletion like any other file's.
   */
  async deleteDetachedFiles(fileIds: Types.ObjectId[], reason: string): Promise<void> {
    await this.forgetFiles(fileIds, reason);
  }

  /** Removes an episode and its files; a season left empty goes too. */
  async deleteEpisode(titleId: Types.ObjectId, season: number, episode: number): Promise<void> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const fileIds = filesOfEpisode(title.seasons, season, episode);
      if (!title.seasons.some((s) => s.number === season && s.episodes.some((e) => e.number === episode))) {
        throw new AppError(
          404,
          'not_found',
          `Title ${String(titleId)} has no season ${season} episode ${episode}.`,
        );
      }
      await this.forgetFiles(fileIds, 'episode deleted');
      await this.episodeComments.delete([{ titleId, season, episode }]);
      await this.editSeasons(title, (seasons) => withoutEpisode(seasons, season, episode));
    });
  }

  /**
   * Removes a title, its files' records and comments, and what other modules keep for it (see
   * `TitleDependents`); the stored bytes are queued for deletion.
   */
  async deleteTitle(titleId: Types.ObjectId): Promise<void> {
    return this.changing(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const referenced = [...title.fileIds, ...allFiles(title.seasons)];
      const backReferenced = (await this.files.findByTitle(title._id)).map((file) => file._id);
      await this.forgetFiles([...referenced, ...backReferenced], 'title deleted');
      // Modules that keep their own records for the title (manga chapters) remove them and their files.
      for (const dependent of this.dependents.all()) await dependent.deleteForTitle(title._id);
      await this.comments.deleteForTitle(title._id);
      await this.episodeComments.deleteForTitle(title._id);
      await this.keys.deleteForTitle(title._id);
      await this.titles.delete(title._id);
      this.logger.log(`deleted title ${String(title._id)} "${title.name}" and ${referenced.length} file(s)`);
    });
  }

  /**
   * Every change to one title runs under that title's lock: FerretDB cannot make a filtered update
   * atomic, and the season tree is rewritten whole. The revision check stays as a second guard.
   */
  private locked<T>(titleId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    return this.mutex.withLock(`title:${String(titleId)}`, work);
  }

  /** A locked change to a title, then the catalog index brought in step (also after a failure). */
  private async changing<T>(titleId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    try {
      return await this.locked(titleId, work);
    } finally {
      await this.catalog.sync(titleId);
    }
  }

  /**
   * How many files the library holds and their size (dashboard, the bot's /stats; titles are counted
   * by the catalog): kept counters, not a scan.
   */
  fileTotals(): Promise<{ files: number; bytes: number }> {
    return this.totals.read();
  }

  /** Indexes a stored file (ingest's last step before filing it under a title). */
  async registerFile(file: NewMediaFile): Promise<MediaFile> {
    const registered = await this.files.insert(file);
    await this.contentKeys.remember(registered);
    if (registered.titleId) await this.catalog.sync(registered.titleId);
    return registered;
  }

  /** The file already holding this content, so ingest can reuse it instead of storing a copy. */
  findFileByChecksum(sha256: string, storageKind: MediaFile['storage']['kind']): Promise<MediaFile | null> {
    return this.contentKeys.find(sha256, storageKind);
  }

  /**
   * Of these stored refs, those a library file points at (its parts, stills, sample, subtitles): one
   * lookup each, the same one the explorer makes before deleting an orphan. It answers the rare upload
   * that starts over (a few refs), never a request.
   */
  async referencedParts(refs: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const ref of new Set(refs)) if (await this.files.references(ref)) found.add(ref);
    return found;
  }

  /**
   * Stills and sample arrive after the file is filed (ingest makes them once the file plays). False
   * when the file is gone (deleted meanwhile).
   */
  async setFileArtifacts(
    fileId: Types.ObjectId,
    artifacts: Pick<MediaFile, 'screenshots' | 'sample'>,
  ): Promise<boolean> {
    const set = await this.files.setArtifacts(fileId, artifacts);
    // Cached records (the streamer's) would show no poster, or old stills, until they expire.
    if (set) await this.fileChanges.publish([fileId]);
    return set;
  }

  /** The file; 404 also when the current site (a franchise tenant's scope) does not show its title. */
  async requireFile(fileId: Types.ObjectId): Promise<MediaFile> {
    const file = await this.files.findById(fileId);
    if (!file || !(await this.fileInScope(file))) throw notFound('file', fileId);
    return file;
  }

  /**
   * Whether the current site shows this file (always, outside a scoped tenant's request): its title's
   * scope, or for a file without a title (a music track) what the module owning it says.
   */
  async fileInScope(file: Pick<MediaFile, '_id' | 'titleId'>): Promise<boolean> {
    if (TenantContext.current().scope.mode !== 'filtered') return true;
    if (!file.titleId) return this.fileScopes.inScope(file);
    return this.catalogQuery.inScope(String(file.titleId));
  }

  /** The file whatever the site's scope, for callers that decide the scope by what holds it (a chapter). */
  async requireFileUnscoped(fileId: Types.ObjectId): Promise<MediaFile> {
    const file = await this.files.findById(fileId);
    if (!file) throw notFound('file', fileId);
    return file;
  }

  /** Files by id (one `_id` lookup each: a title's files), missing ones skipped. */
  findFiles(fileIds: Types.ObjectId[]): Promise<MediaFile[]> {
    return this.files.findByIds(fileIds);
  }

  /** A file's display name (the stream link's last segment and its download name). */
  async renameFile(fileId: Types.ObjectId, fileName: string): Promise<void> {
    if (!(await this.files.rename(fileId, fileName))) throw notFound('file', fileId);
    await this.fileChanges.publish([fileId]);
  }

  /** False when the file is gone (deleted meanwhile): the caller's object then belongs to nothing. */
  async rememberSubtitleVtt(fileId: Types.ObjectId, track: number, vtt: StoragePart): Promise<boolean> {
    const set = await this.fileLocked(fileId, () => this.files.setSubtitleVtt(fileId, track, vtt));
    if (set) await this.fileChanges.publish([fileId]);
    return set;
  }

  /**
   * Stored objects made for a file that was deleted while they were made (stills, a WebVTT): handed to
   * the deletion drain like the file's own.
   */
  async discardStored(storageKind: StorageKind, parts: StoragePart[], reason: string): Promise<void> {
    await this.deletions.recordObjects(
      storageKind,
      parts.map((part) => part.ref),
      reason,
    );
  }

  /**
   * Adds a subtitle track kept beside the file (a sidecar `.srt` of a pack), with its WebVTT
   * rendition. The same sidecar content twice is one track. False when it was already there.
   */
  async addExternalSubtitle(fileId: Types.ObjectId, track: ExternalSubtitle): Promise<boolean> {
    return this.fileLocked(fileId, async () => {
      const file = await this.requireFile(fileId);
      const subtitles = file.streams.subtitles;
      if (subtitles.some((s) => s.external?.sha256 === track.external.sha256)) return false;
      await this.files.setSubtitles(fileId, [...subtitles, { ...track, index: -1 }]);
      // A cached record would leave the new track off /watch until it expires.
      await this.fileChanges.publish([fileId]);
      if (file.titleId) await this.catalog.sync(file.titleId);
      return true;
    });
  }

  /** Changes of one file's track list are read-modify-writes: one at a time (see `locked`). */
  private fileLocked<T>(fileId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    return this.mutex.withLock(`media-file:${String(fileId)}`, work);
  }

  /** Titles by id (one `_id` lookup each), in the order given; unknown ids are left out. */
  titlesByIds(ids: readonly string[]): Promise<Title[]> {
    return this.titles.findByIds(
      ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id)),
    );
  }

  /** The files filed under a title (movie files and every episode's), by `_id`, not by a scan. */
  filesOfTitle(title: Title): Promise<MediaFile[]> {
    return this.files.findByIds([...title.fileIds, ...allFiles(title.seasons)]);
  }

  /**
   * The cards (what a file list shows) of the files filed under a title, movie files first, then
   * every episode's: one Redis read, `_id` lookups only for files without a card.
   */
  fileCardsOfTitle(title: Title): Promise<FileCard[]> {
    return this.files.cardsByIds([...title.fileIds, ...allFiles(title.seasons)]);
  }

  /** The title; 404 also when the current site (a franchise tenant's scope) does not show it. */
  async requireTitle(titleId: Types.ObjectId): Promise<Title> {
    const title = await this.titles.findById(titleId);
    if (!title || !(await this.catalogQuery.inScope(String(titleId)))) throw notFound('title', titleId);
    return title;
  }

  /**
   * Records the local copy of the title's poster or backdrop (under the title's lock: FerretDB rewrites
   * documents), and brings the catalog's cards in step (lists show the local poster).
   */
  async setArtwork(titleId: Types.ObjectId, field: keyof TitleArtwork, artworkId: string): Promise<void> {
    await this.changing(titleId, async () => {
      await this.titles.setArtwork(titleId, field, artworkId);
    });
  }

  /**
   * Records the catalogue's episode stills (enrichment). A still whose source is unchanged keeps its
   * local copy; the artwork job fetches the rest.
   */
  async setEpisodeStills(titleId: Types.ObjectId, found: Omit<EpisodeStill, 'artwork'>[]): Promise<void> {
    await this.locked(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const known = new Map((title.episodeStills ?? []).map((still) => [still.source, still.artwork]));
      const stills = found.map((still) => {
        const artwork = known.get(still.source);
        return artwork ? { ...still, artwork } : { ...still };
      });
      await this.titles.setEpisodeStills(titleId, stills);
    });
  }

  /** Records local copies of episode stills by source URL, in one write (the artwork job). */
  async setEpisodeStillArtwork(
    titleId: Types.ObjectId,
    artworkBySource: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (artworkBySource.size === 0) return;
    await this.locked(titleId, async () => {
      const title = await this.requireTitle(titleId);
      const stills = (title.episodeStills ?? []).map((still) => {
        const artwork = artworkBySource.get(still.source);
        return artwork ? { ...still, artwork } : still;
      });
      await this.titles.setEpisodeStills(titleId, stills);
    });
  }

  /**
   * The title enrichment filed under an IMDb id (`tt…`, from TMDB's external ids), through its natural
   * key in `title_keys` (an `_id` read), never a scan. Undefined when no title has it, or when the
   * current site (a franchise tenant's scope) does not show it.
   */
  async findTitleByImdb(imdbId: string): Promise<Title | undefined> {
    const [owner] = await this.keys.owners(externalKeys('movie', { imdb: imdbId }));
    if (!owner || !(await this.catalogQuery.inScope(String(owner.titleId)))) return undefined;
    return (await this.titles.findById(owner.titleId)) ?? undefined;
  }

  /** Titles by id, in the order given, missing ones skipped (one `_id` lookup each: short lists). */
  findTitles(titleIds: Types.ObjectId[]): Promise<Title[]> {
    return this.titles.findByIds(titleIds);
  }

  /** Storage deletion is recorded durably before the records go, so a crash forgets nothing. */
  private async forgetFiles(fileIds: Types.ObjectId[], reason: string): Promise<void> {
    const files = await this.files.findByIds(fileIds);
    await this.deletions.recordFiles(files, reason);
    await this.contentKeys.forget(files.map((file) => file._id));
    // Recorded again as deleted: a still or WebVTT stored into a record since it was read above.
    await this.deletions.recordFiles(await this.files.deleteMany(files), reason);
    // After the records are gone, so a streamer that looks the file up again finds nothing to cache.
    await this.fileChanges.publish(files.map((file) => file._id));
  }

  private async editSeasons(title: Title, edit: (seasons: SeasonBucket[]) => SeasonBucket[]): Promise<void> {
    let current: Title | null = title;
    for (let attempt = 0; attempt < MAX_RACES && current; attempt++) {
      if (await this.titles.replaceSeasons(current._id, current.revision, edit(current.seasons))) return;
      current = await this.titles.findById(title._id);
    }
    if (!current) throw notFound('title', title._id);
    throw new AppError(503, 'service_unavailable', 'The title is being changed by others; retry shortly.');
  }

  private async mismatch(
    title: Title,
    fileId: Types.ObjectId,
    reason: string,
    season?: number,
    episodes: number[] = [],
  ): Promise<AttachResult> {
    await this.titles.pushMismatch(title._id, { fileId, reason, season, episodes, at: new Date() });
    this.logger.warn(`not filed: ${reason} (file ${String(fileId)})`);
    return { attached: false, reason };
  }

  private async applyFields(title: Title, set: TitleFields, lock: EditableField[]): Promise<Title> {
    const merged = { ...title, ...set };
    const update = { ...set, searchTokens: tokensOf(merged) };
    const updated = await this.titles.setFields(title._id, update, lock);
    if (!updated) throw notFound('title', title._id);
    for (const key of externalKeys(updated.kind, set.externalIds)) await this.keys.claim(key, updated._id);
    return updated;
  }

  private skeleton(input: SkeletonInput, name: string) {
    const base = { kind: input.kind, name, year: input.year, aliases: [] as string[] };
    return {
      ...base,
      genres: [],
      externalIds: input.externalIds ?? {},
      searchTokens: tokensOf(base),
      seasons: [],
      fileIds: [],
      lockedFields: [],
      mismatches: [],
    };
  }
}

export function tokensOf(
  title: Pick<Title, 'name' | 'aliases' | 'year'> & { originalName?: string },
): string[] {
  return titleTokens(title);
}

function notFound(what: string, id: Types.ObjectId, where = ''): AppError {
  return new AppError(404, 'not_found', `No ${what} with id ${String(id)}${where ? ` ${where}` : ''}.`);
}
