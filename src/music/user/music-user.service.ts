import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { perSiteKey } from '../../core/tenancy/tenant.js';
import { MusicRepository } from '../model/music.repository.js';
import { PlaylistRepository } from '../model/playlist.repository.js';
import { type MusicPlaylist, type MusicUserData } from '../model/music.schema.js';
import { carriedByXml } from '../../core/util/xml-text.js';

/** A "now playing" report is shown this long after the player last said so. */
const NOW_PLAYING_MS = 15 * 60 * 1000;
/** Each site sees what its own accounts play: `music:now-playing` (the default site's), `<tenant>:music:now-playing`. */
const nowPlayingKey = (tenantId: string) => perSiteKey(tenantId, 'music:now-playing');

export interface NowPlaying {
  userId: string;
  username: string;
  trackId: string;
  at: number;
  player?: string;
}

export class PlaylistNotFoundError extends Error {}
export class PlaylistForbiddenError extends Error {}
/** A name, comment or track list a playlist cannot take. */
export class PlaylistRefusedError extends Error {}

/**
 * Every account of a site receives the public playlists' names: what one may hold is bounded, and so
 * is how many an account has (each listing reads every public one of the site).
 */
export const PLAYLIST_LIMITS = { nameChars: 255, commentChars: 1000, tracks: 5000, perAccount: 500 } as const;

/** What a user does with the music: stars, ratings, plays (scrobbles), now playing, and playlists. */
@Injectable()
export class MusicUserService {
  constructor(
    private readonly repository: MusicRepository,
    private readonly playlistRepository: PlaylistRepository,
    private readonly redis: RedisClient,
  ) {}

  data(userId: string): Promise<MusicUserData> {
    return this.repository.findUserData(userId);
  }

  star(userId: string, ids: readonly string[], starred: boolean): Promise<void> {
    return this.repository.editUserData(userId, (data) => {
      for (const id of ids) {
        if (starred) data.starred[id] ??= new Date();
        else delete data.starred[id];
      }
    });
  }

  /** 0 removes the rating. */
  rate(userId: string, id: string, rating: number): Promise<void> {
    return this.repository.editUserData(userId, (data) => {
      if (rating === 0) delete data.ratings[id];
      else data.ratings[id] = rating;
    });
  }

  /** A finished play counts the track and its album; otherwise the track is what the user plays now. */
  async scrobble(
    user: { id: string; name: string },
    plays: readonly { trackId: string; albumId: string; at: Date }[],
    submission: boolean,
    player?: string,
  ): Promise<void> {
    if (!submission) {
      const last = plays.at(-1);
      if (!last) return;
      const entry: NowPlaying = {
        userId: user.id,
        username: user.name,
        trackId: last.trackId,
        at: Date.now(),
        player,
      };
      await this.redis.client.hset(nowPlayingKey(TenantContext.current().id), user.id, JSON.stringify(entry));
      return;
    }
    await this.repository.editUserData(user.id, (data) => {
      for (const play of plays) {
        for (const id of [play.trackId, play.albumId]) {
          const current = data.plays[id];
          data.plays[id] = { count: (current?.count ?? 0) + 1, last: play.at };
        }
      }
    });
  }

  /** What the current site's accounts play now. */
  async nowPlaying(): Promise<NowPlaying[]> {
    const key = nowPlayingKey(TenantContext.current().id);
    const all = await this.redis.client.hgetall(key);
    const fresh: NowPlaying[] = [];
    for (const [userId, json] of Object.entries(all)) {
      const entry = JSON.parse(json) as NowPlaying;
      if (Date.now() - entry.at <= NOW_PLAYING_MS) fresh.push(entry);
      else await this.redis.client.hdel(key, userId);
    }
    return fresh.sort((a, b) => b.at - a.at);
  }

  /** A purged tenant's "now playing" entries. */
  async forgetSite(tenantId: string): Promise<void> {
    await this.redis.client.del(nowPlayingKey(tenantId));
  }

  /** The user's own playlists and the public ones of accounts of the current site. */
  async playlists(userId: string): Promise<MusicPlaylist[]> {
    const site = TenantContext.current().id;
    const listed = await this.playlistRepository.listed(site, userId);
    return listed.filter((playlist) => visibleTo(playlist, userId, site));
  }

  /** A playlist the user may see: their own or a public one of their site (another site's is not found). */
  async playlist(userId: string, id: string): Promise<MusicPlaylist> {
    const playlist = await this.playlistRepository.find(id);
    if (!playlist || !visibleTo(playlist, userId, TenantContext.current().id))
      throw new PlaylistNotFoundError(`Playlist not found: ${id}`);
    return playlist;
  }

  async create(
    owner: { id: string; name: string },
    name: string,
    trackIds: string[],
  ): Promise<MusicPlaylist> {
    const now = new Date();
    const playlist: MusicPlaylist = {
      _id: `pl-${randomUUID()}`,
      owner: owner.id,
      ownerName: owner.name,
      tenantId: TenantContext.current().id,
      name,
      public: false,
      trackIds,
      createdAt: now,
      updatedAt: now,
    };
    checkPlaylist(playlist);
    if (!(await this.playlistRepository.create(playlist, PLAYLIST_LIMITS.perAccount))) {
      throw new PlaylistRefusedError(
        `An account has at most ${PLAYLIST_LIMITS.perAccount} playlists: delete one to make another`,
      );
    }
    return playlist;
  }

  /** Only the owner changes a playlist (another user's, even a public one, is refused). */
  async update(
    userId: string,
    id: string,
    change: (playlist: MusicPlaylist) => void,
  ): Promise<MusicPlaylist> {
    await this.owned(userId, id);
    const site = TenantContext.current().id;
    const updated = await this.playlistRepository.edit(id, (playlist) => {
      playlist.tenantId ??= site; // one from before playlists stored their site (its owner's, this one)
      change(playlist);
      checkPlaylist(playlist);
    });
    if (!updated) throw new PlaylistNotFoundError(`Playlist not found: ${id}`);
    return updated;
  }

  async delete(userId: string, id: string): Promise<void> {
    await this.owned(userId, id);
    await this.playlistRepository.delete(id);
  }

  private async owned(userId: string, id: string): Promise<MusicPlaylist> {
    const playlist = await this.playlist(userId, id);
    if (playlist.owner !== userId)
      throw new PlaylistForbiddenError('Only the owner may change this playlist');
    return playlist;
  }
}

/** Its owner sees a playlist; the accounts of its site see it too when it is public. */
function visibleTo(playlist: MusicPlaylist, userId: string, tenantId: string): boolean {
  return playlist.owner === userId || (playlist.public && playlist.tenantId === tenantId);
}

/** Refuses (before anything is stored) a playlist its readers could not be sent. */
function checkPlaylist(playlist: MusicPlaylist): void {
  const texts = [
    ['name', playlist.name, PLAYLIST_LIMITS.nameChars],
    ['comment', playlist.comment ?? '', PLAYLIST_LIMITS.commentChars],
  ] as const;
  for (const [field, text, max] of texts) {
    if (text.length > max) throw new PlaylistRefusedError(`A playlist ${field} is at most ${max} characters`);
    if (!carriedByXml(text)) {
      throw new PlaylistRefusedError(
        `The playlist ${field} holds characters that cannot be sent (control characters, noncharacters)`,
      );
    }
  }
  if (playlist.name.trim() === '') throw new PlaylistRefusedError('A playlist needs a name');
  if (playlist.trackIds.length > PLAYLIST_LIMITS.tracks) {
    throw new PlaylistRefusedError(`A playlist holds at most ${PLAYLIST_LIMITS.tracks} songs`);
  }
}
