import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { CatalogIndexer } from '../catalog/catalog-indexer.js';
import { MediaFileRepository } from '../media-file.repository.js';
import { type TitleKind } from '../release-name/parsed-release.js';
import { type MediaFile } from '../schemas/media-file.schema.js';
import { type SeasonBucket, type Title } from '../schemas/title.schema.js';
import { titleTokens } from '../search/search-tokens.js';
import { withFile } from '../season-buckets.js';
import { TitleKeyRepository } from '../title-key.repository.js';
import { nameKey } from '../title-keys.js';
import { TitleRepository } from '../title.repository.js';

/** A file record of an imported title: what ingest would have recorded, and where it is filed. */
export interface ImportedFile {
  fileName: string;
  size: number;
  mime: string;
  duration?: number;
  storage: MediaFile['storage'];
  streams?: MediaFile['streams'];
  season?: number;
  episode?: number;
}

export interface ImportedTitle {
  kind: TitleKind;
  name: string;
  originalName?: string;
  aliases?: string[];
  year?: number;
  overview?: string;
  genres?: string[];
  files: ImportedFile[];
}

export interface ImportOutcome {
  imported: number;
  files: number;
  /**
   * Titles the library already had under the same name, kind and year, or that came earlier in the
   * same batch (left as they were).
   */
  existing: number;
}

/**
 * Files many new titles with their files at once: the same documents, natural keys and catalog
 * index entries as ingest's upsert → register → attach, written a batch per round trip instead of
 * a title at a time (`npm run seed`, imports). A title whose natural key is taken (also by an
 * earlier copy in the same batch) is skipped.
 */
@Injectable()
export class TitleImportService {
  constructor(
    private readonly titles: TitleRepository,
    private readonly keys: TitleKeyRepository,
    private readonly files: MediaFileRepository,
    private readonly catalog: CatalogIndexer,
  ) {}

  async importBatch(batch: readonly ImportedTitle[]): Promise<ImportOutcome> {
    const now = new Date();
    const planned = batch.map((input) => ({
      input,
      id: new Types.ObjectId(),
      key: nameKey(input.kind, input.name, input.year),
    }));
    const taken = await this.keys.claimMany(planned.map(({ key, id }) => ({ key, titleId: id })));
    const fresh = planned.filter((_, index) => !taken.has(index));

    const titleDocs: Title[] = [];
    const fileDocs: MediaFile[] = [];
    for (const { input, id } of fresh) {
      let seasons: SeasonBucket[] = [];
      const fileIds: Types.ObjectId[] = [];
      for (const file of input.files) {
        const fileId = new Types.ObjectId();
        const episodic = input.kind !== 'movie' && file.episode !== undefined;
        if (episodic) seasons = withFile(seasons, file.season ?? 1, [file.episode!], fileId);
        else fileIds.push(fileId);
        fileDocs.push({
          _id: fileId,
          storage: file.storage,
          size: file.size,
          mime: file.mime,
          fileName: file.fileName,
          duration: file.duration,
          streams: file.streams ?? { video: [], audio: [], subtitles: [] },
          screenshots: [],
          titleId: id,
          season: episodic ? (file.season ?? 1) : undefined,
          episodes: episodic ? [file.episode!] : [],
          createdAt: now,
          updatedAt: now,
        });
      }
      const aliases = input.aliases ?? [];
      titleDocs.push({
        _id: id,
        kind: input.kind,
        name: input.name,
        originalName: input.originalName,
        aliases,
        year: input.year,
        overview: input.overview,
        genres: input.genres ?? [],
        externalIds: {},
        searchTokens: titleTokens({ ...input, aliases }),
        seasons,
        fileIds,
        lockedFields: [],
        mismatches: [],
        revision: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
    // Files first, then titles: a crash in between leaves unreferenced file records (no bytes), never
    // a title pointing at files that do not exist.
    await this.files.insertPrepared(fileDocs);
    await this.titles.insertPrepared(titleDocs);
    await this.catalog.indexTitles(titleDocs);
    return { imported: titleDocs.length, files: fileDocs.length, existing: taken.size };
  }
}
