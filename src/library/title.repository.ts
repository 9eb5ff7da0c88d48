import { Injectable } from '@nestjs/common';
import { type Model, type QueryFilter, type Types } from 'mongoose';
import { findEachById } from '../core/database/find-each-by-id.js';
import { isDuplicateKeyError, MongoConnection } from '../core/database/mongo-connection.js';
import { type EpisodeStill, type SeasonBucket, type Title, titleSchema } from './schemas/title.schema.js';
import { ENTRY_FIELDS, type EntrySource } from './catalog/catalog-entry.js';

export type NewTitle = Omit<Title, '_id' | 'createdAt' | 'updatedAt' | 'revision'>;
export type TitleFilter = QueryFilter<Title>;

/** Ranking needs only these fields of each candidate. */
export type TitleCandidate = Pick<Title, '_id' | 'searchTokens' | 'updatedAt'>;

@Injectable()
export class TitleRepository {
  readonly model: Model<Title>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<Title>('Title', titleSchema);
  }

  findById(id: Types.ObjectId): Promise<Title | null> {
    return this.model.findById(id).lean<Title>().exec();
  }

  findByIds(ids: Types.ObjectId[]): Promise<Title[]> {
    return findEachById(this.model, ids);
  }

  /**
   * Inserts with a chosen id; a second insert of the same id is a no-op (crash-safe retries). A plain
   * insert, not an upsert with `$setOnInsert`: FerretDB 1.24 drops empty arrays from `$setOnInsert`.
   */
  async insertIfAbsent(id: Types.ObjectId, title: NewTitle): Promise<void> {
    try {
      await this.model.create({ ...title, _id: id, revision: 0 });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Replaces `seasons` (and optional other fields) only if nobody changed the title since it was read
   * at `revision`. FerretDB 1.24 has no positional (`$`, `$[]`) update operators, so nested buckets are
   * rewritten whole under this optimistic check instead. Returns false on a lost race.
   */
  async replaceSeasons(
    id: Types.ObjectId,
    revision: number,
    seasons: SeasonBucket[],
    extra: Partial<Pick<Title, 'mismatches'>> = {},
  ): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: id, revision },
      { $set: { seasons, ...extra }, $inc: { revision: 1 } },
    );
    return result.modifiedCount === 1;
  }

  async addMovieFile(id: Types.ObjectId, fileId: Types.ObjectId): Promise<void> {
    await this.model.updateOne({ _id: id }, { $addToSet: { fileIds: fileId }, $inc: { revision: 1 } });
  }

  async pullMovieFile(id: Types.ObjectId, fileId: Types.ObjectId): Promise<void> {
    await this.model.updateOne({ _id: id }, { $pull: { fileIds: fileId }, $inc: { revision: 1 } });
  }

  async pushMismatch(id: Types.ObjectId, mismatch: Title['mismatches'][number]): Promise<void> {
    await this.model.updateOne({ _id: id }, { $push: { mismatches: mismatch }, $inc: { revision: 1 } });
  }

  /** Sets fields; returns the updated title or null when the id is unknown. */
  setFields(id: Types.ObjectId, set: Partial<Title>, addLocked: string[] = []): Promise<Title | null> {
    const update: Record<string, unknown> = { $set: set, $inc: { revision: 1 } };
    if (addLocked.length > 0) update.$addToSet = { lockedFields: { $each: addLocked } };
    return this.model.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' }).lean<Title>().exec();
  }

  // Every write bumps the revision: the index refuses an older one, so a late sync of the edit
  // before this one cannot put back a card without it.
  async setArtwork(id: Types.ObjectId, field: 'poster' | 'backdrop', artworkId: string): Promise<void> {
    await this.model.updateOne(
      { _id: id },
      { $set: { [`artwork.${field}`]: artworkId }, $inc: { revision: 1 } },
    );
  }

  async setEpisodeStills(id: Types.ObjectId, stills: EpisodeStill[]): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { episodeStills: stills }, $inc: { revision: 1 } });
  }

  async delete(id: Types.ObjectId): Promise<boolean> {
    return (await this.model.deleteOne({ _id: id })).deletedCount === 1;
  }

  /** Newest first, for listing without a query. */
  page(filter: TitleFilter, skip: number, limit: number): Promise<Title[]> {
    return this.model
      .find(filter)
      .sort({ updatedAt: -1, _id: -1 })
      .skip(skip)
      .limit(limit)
      .lean<Title[]>()
      .exec();
  }

  /** A page in the given order (the catalog's slow path). */
  sorted(filter: TitleFilter, sort: Record<string, 1 | -1>, skip: number, limit: number): Promise<Title[]> {
    return this.model.find(filter).sort(sort).skip(skip).limit(limit).lean<Title[]>().exec();
  }

  /** Kind, genres and year of every matching title, one at a time (facet counts by scan). */
  facetFields(filter: TitleFilter): AsyncIterable<Pick<Title, 'kind' | 'genres' | 'year'>> {
    return this.model
      .find(filter, { kind: 1, genres: 1, year: 1 })
      .lean<Pick<Title, 'kind' | 'genres' | 'year'>>()
      .cursor();
  }

  /** Every title's local artwork ids (poster, backdrop, episode stills), one title at a time. */
  artworkFields(): AsyncIterable<Pick<Title, 'artwork' | 'episodeStills'>> {
    return this.model
      .find({}, { artwork: 1, 'episodeStills.artwork': 1 })
      .lean<Pick<Title, 'artwork' | 'episodeStills'>>()
      .cursor();
  }

  /** What the catalog index needs of these titles, by `_id` (missing ones left out). */
  async findForIndex(ids: readonly Types.ObjectId[]): Promise<EntrySource[]> {
    const found = await Promise.all(
      ids.map((id) => this.model.findById(id, ENTRY_FIELDS).lean<EntrySource>().exec()),
    );
    return found.filter((title): title is EntrySource => title !== null);
  }

  /** Every title's index fields, one at a time (the catalog rebuild). */
  eachForIndex(): AsyncIterable<EntrySource> {
    return this.model.find({}, ENTRY_FIELDS).lean<EntrySource>().cursor({ batchSize: 1000 });
  }

  count(filter: TitleFilter): Promise<number> {
    return this.model.countDocuments(filter).exec();
  }

  candidates(filter: TitleFilter, limit: number): Promise<TitleCandidate[]> {
    return this.model
      .find(filter, { searchTokens: 1, updatedAt: 1 })
      .sort({ updatedAt: -1, _id: -1 })
      .limit(limit)
      .lean<TitleCandidate[]>()
      .exec();
  }

  /** Inserts complete documents as given, in one round trip (bulk import). */
  async insertPrepared(titles: Title[]): Promise<void> {
    if (titles.length > 0) await this.model.collection.insertMany(titles, { ordered: false });
  }

  async insertMany(titles: (NewTitle & { _id?: Types.ObjectId })[]): Promise<void> {
    await this.model.insertMany(
      titles.map((title) => ({ revision: 0, ...title })),
      { ordered: false },
    );
  }
}
