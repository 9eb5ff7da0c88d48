import { Injectable, Logger } from '@nestjs/common';
import { type Types } from 'mongoose';
import { TitleRepository } from '../title.repository.js';
import { catalogEntry, type EntrySource } from './catalog-entry.js';
import { CatalogIndexRepository, type CatalogMeta } from './catalog-index.repository.js';

/** The generations a write must reach: the one answering and, during a rebuild, the one being built. */
export function writeTargets(meta: CatalogMeta): number[] {
  return [...new Set([meta.current, meta.building].filter((gen): gen is number => gen !== undefined))];
}

/**
 * Keeps the index in step with the database: after every write to a title, the library calls
 * `sync`, which reads the title back by `_id` and files it (or its absence) into every live
 * generation. Writes carry the title's revision and Redis refuses an older one, so two syncs of the
 * same title landing out of order cannot bring back an old version or a deleted title.
 */
@Injectable()
export class CatalogIndexer {
  private readonly logger = new Logger('catalog');

  constructor(
    private readonly index: CatalogIndexRepository,
    private readonly titles: TitleRepository,
  ) {}

  async sync(titleId: Types.ObjectId): Promise<void> {
    await this.syncMany([titleId]);
  }

  /** Titles just written as given (a bulk import), without reading them back. */
  async indexTitles(titles: readonly EntrySource[]): Promise<void> {
    try {
      const gens = writeTargets(await this.index.meta());
      for (const gen of gens) await this.index.upsertMany(gen, titles.map(toIndexed));
    } catch (error) {
      this.logger.warn(
        `catalog index not updated for ${titles.length} title(s): ${(error as Error).message}`,
      );
    }
  }

  /** Many titles at once, read back by `_id`. */
  async syncMany(titleIds: readonly Types.ObjectId[]): Promise<void> {
    if (titleIds.length === 0) return;
    try {
      // Read after the database write: a rebuild that started before this point scans the new data,
      // one that starts later is in `building` and gets this write too.
      const gens = writeTargets(await this.index.meta());
      if (gens.length === 0) return;
      const found = new Map(
        (await this.titles.findForIndex(titleIds)).map((title) => [String(title._id), title]),
      );
      for (const gen of gens) {
        const present = [...found.values()].map((title) => toIndexed(title));
        await this.index.upsertMany(gen, present);
        for (const id of titleIds) if (!found.has(String(id))) await this.index.remove(gen, String(id));
      }
    } catch (error) {
      // The database write stands; the index catches up at the next change or rebuild.
      this.logger.warn(
        `catalog index not updated for ${titleIds.length} title(s): ${(error as Error).message}`,
      );
    }
  }
}

export function toIndexed(title: EntrySource) {
  return { id: String(title._id), revision: title.revision ?? 0, entry: catalogEntry(title) };
}
