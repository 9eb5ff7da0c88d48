import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import {
  type MusicPlaylist,
  type MusicPlaylistList,
  musicPlaylistListSchema,
  musicPlaylistSchema,
} from './music.schema.js';

/** Written once every playlist from before the lists is in them (see `PlaylistListsBackfill`). */
const BACKFILLED = 'meta:backfilled';

const ownerList = (userId: string) => `owner:${userId}`;
const publicList = (tenantId: string) => `public:${tenantId}`;

/**
 * Playlists, and the lists that say which ones an account has and which ones a site shows to everyone
 * (`music_playlist_lists`), so that listing them is `_id` reads, never a scan of every site's
 * playlists. A playlist is listed before it is written and unlisted after it is changed or deleted:
 * a crash in between leaves a list naming one too many (readers check each), never one missing.
 */
@Injectable()
export class PlaylistRepository {
  private readonly playlists: Model<MusicPlaylist>;
  private readonly lists: Model<MusicPlaylistList>;
  private backfilled = false;

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
  ) {
    this.playlists = mongo.connection.model<MusicPlaylist>('MusicPlaylist', musicPlaylistSchema);
    this.lists = mongo.connection.model<MusicPlaylistList>('MusicPlaylistList', musicPlaylistListSchema);
  }

  find(id: string): Promise<MusicPlaylist | null> {
    return this.playlists.findById(id).lean<MusicPlaylist>().exec();
  }

  /**
   * The playlists listed for `owner` and as public on the site `tenantId`: candidates, which the
   * caller checks (a list may name one that has since changed). Until the backfill has run, the old
   * scan (a legacy playlist without its site shows to its owner only).
   */
  async listed(tenantId: string, owner: string): Promise<MusicPlaylist[]> {
    if (!(await this.isBackfilled())) {
      return this.playlists
        .find({ $or: [{ owner }, { public: true, tenantId }] })
        .lean<MusicPlaylist[]>()
        .exec();
    }
    const lists = await Promise.all(
      [ownerList(owner), publicList(tenantId)].map((id) =>
        this.lists.findById(id).lean<MusicPlaylistList>().exec(),
      ),
    );
    const ids = [...new Set(lists.flatMap((list) => list?.ids ?? []))];
    const found = await Promise.all(ids.map((id) => this.find(id)));
    return found
      .filter((playlist) => playlist !== null)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));
  }

  /**
   * Saves a new playlist unless its owner's list already names `max` (counted and listed under the
   * list's lock, so parallel creations cannot pass it); false then, and nothing is written.
   */
  async create(playlist: MusicPlaylist, max: number): Promise<boolean> {
    let listed = false;
    await this.changeList(ownerList(playlist.owner), (ids) => {
      if (ids.length >= max) return ids;
      listed = true;
      return [...ids, playlist._id];
    });
    if (listed) await this.save(playlist);
    return listed;
  }

  async save(playlist: MusicPlaylist): Promise<void> {
    await this.list(ownerList(playlist.owner), playlist._id);
    if (playlist.public && playlist.tenantId) await this.list(publicList(playlist.tenantId), playlist._id);
    await this.playlists.replaceOne({ _id: playlist._id }, playlist, { upsert: true });
    if (!playlist.public && playlist.tenantId) await this.unlist(publicList(playlist.tenantId), playlist._id);
  }

  async edit(id: string, change: (playlist: MusicPlaylist) => void): Promise<MusicPlaylist | null> {
    return this.mutex.withLock(`music-playlist:${id}`, async () => {
      const playlist = await this.find(id);
      if (!playlist) return null;
      change(playlist);
      playlist.updatedAt = new Date();
      await this.save(playlist);
      return playlist;
    });
  }

  /** Under the lock `edit` holds: an edit under way would otherwise write the playlist back after it. */
  async delete(id: string): Promise<void> {
    await this.mutex.withLock(`music-playlist:${id}`, async () => {
      const playlist = await this.find(id);
      if (!playlist) return;
      await this.playlists.deleteOne({ _id: id });
      await this.unlist(ownerList(playlist.owner), id);
      if (playlist.tenantId) await this.unlist(publicList(playlist.tenantId), id);
    });
  }

  /** A purged tenant's: its accounts' playlists and lists, and its public list. */
  async deleteForTenant(tenantId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) {
      await this.playlists.deleteMany({ owner: { $in: [...userIds] } });
      await this.lists.deleteMany({ _id: { $in: userIds.map(ownerList) } });
    }
    await this.lists.deleteOne({ _id: publicList(tenantId) });
  }

  /** Every playlist, for the backfill (once per install). */
  each(): AsyncIterable<MusicPlaylist> {
    return this.playlists.find().lean<MusicPlaylist>().cursor();
  }

  /** Gives a playlist from before they were stored its site (if it has none yet) and lists it. */
  async backfill(id: string, tenantId: string): Promise<void> {
    await this.mutex.withLock(`music-playlist:${id}`, async () => {
      const playlist = await this.find(id);
      if (!playlist) return;
      playlist.tenantId ??= tenantId;
      await this.save(playlist);
    });
  }

  async isBackfilled(): Promise<boolean> {
    if (this.backfilled) return true;
    this.backfilled = (await this.lists.exists({ _id: BACKFILLED }).exec()) !== null;
    return this.backfilled;
  }

  async markBackfilled(): Promise<void> {
    await this.lists.replaceOne({ _id: BACKFILLED }, { _id: BACKFILLED, ids: [] }, { upsert: true });
    this.backfilled = true;
  }

  private list(listId: string, playlistId: string): Promise<void> {
    return this.changeList(listId, (ids) => (ids.includes(playlistId) ? ids : [...ids, playlistId]));
  }

  private unlist(listId: string, playlistId: string): Promise<void> {
    return this.changeList(listId, (ids) => ids.filter((id) => id !== playlistId));
  }

  private async changeList(listId: string, change: (ids: string[]) => string[]): Promise<void> {
    await this.mutex.withLock(`music-playlist-list:${listId}`, async () => {
      const current = (await this.lists.findById(listId).lean<MusicPlaylistList>().exec())?.ids ?? [];
      const next = change(current);
      if (next.length === current.length && next.every((id, index) => id === current[index])) return;
      if (next.length === 0) await this.lists.deleteOne({ _id: listId });
      else await this.lists.replaceOne({ _id: listId }, { _id: listId, ids: next }, { upsert: true });
    });
  }
}
