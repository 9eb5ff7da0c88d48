import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';
import { INITIAL_STATE, type PlaybackState } from './party-rules.js';

export interface PartyMember {
  id: string;
  name: string;
}

/** A room as every manager sees it. */
export interface PartyRoom {
  id: string;
  fileId: string;
  hostId: string;
  everyoneControls: boolean;
  state: PlaybackState;
  /** In the order they joined: the first one after the host takes over when the host leaves. */
  members: PartyMember[];
}

/** `taken`: that member id is in the room already (a ticket opens one socket at a time). */
export type JoinResult = { ok: true; hostId: string } | { ok: false; reason: 'gone' | 'full' | 'taken' };
export type LeaveResult = { left: boolean; hostId: string; empty: boolean };
export type SweepResult =
  { outcome: 'gone' | 'expired' } | { outcome: 'kept'; hostId: string; stale: string[]; empty: boolean };

// KEYS: room hash, members (zset by join order), names (hash), seen (zset by last heartbeat).
const JOIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {'taken'} end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {'full'} end
redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[1], 'seq', 1), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
redis.call('HDEL', KEYS[1], 'emptySince')
local host = redis.call('HGET', KEYS[1], 'host')
if not host or host == '' then
  host = ARGV[1]
  redis.call('HSET', KEYS[1], 'host', host)
end
return {'ok', host}`;

/** Removes the members in ARGV[2..]; the host passes to the earliest joiner left; ARGV[1] = now. */
const REMOVE_MEMBERS = `
local function remove(now, ids)
  local removed = 0
  for _, id in ipairs(ids) do
    removed = removed + redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
  end
  local host = redis.call('HGET', KEYS[1], 'host') or ''
  if redis.call('ZSCORE', KEYS[2], host) == false then
    host = redis.call('ZRANGE', KEYS[2], 0, 0)[1] or ''
    redis.call('HSET', KEYS[1], 'host', host)
  end
  local empty = redis.call('ZCARD', KEYS[2]) == 0
  if empty and redis.call('HEXISTS', KEYS[1], 'emptySince') == 0 then
    redis.call('HSET', KEYS[1], 'emptySince', now)
  end
  return {removed, host, empty and 1 or 0}
end`;

const LEAVE = `${REMOVE_MEMBERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, '', 1} end
return remove(ARGV[1], {ARGV[2]})`;

/** ARGV: now, members stale before, rooms empty since before this expire. */
const SWEEP = `${REMOVE_MEMBERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[2])
local result = remove(ARGV[1], stale)
if result[3] == 1 and tonumber(redis.call('HGET', KEYS[1], 'emptySince')) <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  return {'expired'}
end
return {'kept', result[2], result[3], unpack(stale)}`;

/** ARGV: member, expected revision, new state JSON. Members only; the host, or anyone when allowed. */
const CONTROL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) == false then return 'not_member' end
local fields = redis.call('HMGET', KEYS[1], 'host', 'everyone', 'revision')
if fields[1] ~= ARGV[1] and fields[2] ~= '1' then return 'forbidden' end
if fields[3] ~= ARGV[2] then return 'conflict' end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'revision', tonumber(ARGV[2]) + 1)
return 'ok'`;

/** ARGV: member, '1' or '0'. The host only. */
const EVERYONE_CONTROLS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('HGET', KEYS[1], 'host') ~= ARGV[1] then return 'forbidden' end
redis.call('HSET', KEYS[1], 'everyone', ARGV[2])
return 'ok'`;

/**
 * Watch-party rooms in Redis, shared by every manager. Membership changes (join, leave, host hand-over,
 * the presence sweep) and playback changes run as Lua scripts, so two managers never interleave halves.
 */
@Injectable()
export class PartyRoomRepository {
  constructor(private readonly redis: RedisClient) {}

  private keys(roomId: string): [string, string, string, string] {
    return [
      `party:room:${roomId}`,
      `party:members:${roomId}`,
      `party:names:${roomId}`,
      `party:seen:${roomId}`,
    ];
  }

  async create(roomId: string, fileId: string, now: number): Promise<void> {
    await this.redis.client
      .multi()
      .hset(`party:room:${roomId}`, {
        fileId,
        host: '',
        everyone: '0',
        state: JSON.stringify(INITIAL_STATE),
        revision: String(INITIAL_STATE.revision),
        seq: '0',
        // Nobody has joined yet: a room nobody opens expires like one everybody left.
        emptySince: String(now),
      })
      .sadd('party:rooms', roomId)
      .exec();
  }

  async find(roomId: string): Promise<PartyRoom | undefined> {
    const [room, members, names] = this.keys(roomId);
    const results = await this.redis.client
      .multi()
      .hgetall(room)
      .zrange(members, '0', '-1')
      .hgetall(names)
      .exec();
    const hash = results?.[0]?.[1] as Record<string, string> | undefined;
    if (!hash?.fileId) return undefined;
    const ids = results?.[1]?.[1] as string[];
    const nameOf = results?.[2]?.[1] as Record<string, string>;
    return {
      id: roomId,
      fileId: hash.fileId,
      hostId: hash.host ?? '',
      everyoneControls: hash.everyone === '1',
      state: JSON.parse(hash.state ?? JSON.stringify(INITIAL_STATE)) as PlaybackState,
      members: ids.map((id) => ({ id, name: nameOf[id] ?? id })),
    };
  }

  async memberCount(roomId: string): Promise<number> {
    return this.redis.client.zcard(`party:members:${roomId}`);
  }

  async join(roomId: string, member: PartyMember, now: number, maxMembers: number): Promise<JoinResult> {
    const reply = (await this.redis.client.eval(
      JOIN,
      4,
      ...this.keys(roomId),
      member.id,
      member.name,
      now,
      maxMembers,
    )) as string[];
    return reply[0] === 'ok'
      ? { ok: true, hostId: reply[1] }
      : { ok: false, reason: reply[0] as 'gone' | 'full' | 'taken' };
  }

  async leave(roomId: string, memberId: string, now: number): Promise<LeaveResult> {
    const [removed, hostId, empty] = (await this.redis.client.eval(
      LEAVE,
      4,
      ...this.keys(roomId),
      now,
      memberId,
    )) as [number, string, number];
    return { left: removed > 0, hostId, empty: empty === 1 };
  }

  /** Marks members connected to this process as present (a crashed manager's members go stale). */
  async touch(roomId: string, memberIds: readonly string[], now: number): Promise<void> {
    if (memberIds.length === 0) return;
    // XX: only members still in the room (the sweep may have removed one whose heartbeat was late).
    await this.redis.client.zadd(
      `party:seen:${roomId}`,
      'XX',
      ...memberIds.flatMap((id) => [String(now), id]),
    );
  }

  /**
   * Compare-and-set of the playback state: `conflict` when another change landed since `revision` was
   * read (the caller reads again and retries).
   */
  async setState(
    roomId: string,
    memberId: string,
    revision: number,
    state: PlaybackState,
  ): Promise<'ok' | 'gone' | 'not_member' | 'forbidden' | 'conflict'> {
    const [room, members] = this.keys(roomId);
    return (await this.redis.client.eval(
      CONTROL,
      2,
      room,
      members,
      memberId,
      revision,
      JSON.stringify(state),
    )) as 'ok' | 'gone' | 'not_member' | 'forbidden' | 'conflict';
  }

  async setEveryoneControls(
    roomId: string,
    memberId: string,
    allowed: boolean,
  ): Promise<'ok' | 'gone' | 'forbidden'> {
    return (await this.redis.client.eval(
      EVERYONE_CONTROLS,
      1,
      `party:room:${roomId}`,
      memberId,
      allowed ? '1' : '0',
    )) as 'ok' | 'gone' | 'forbidden';
  }

  async roomIds(): Promise<string[]> {
    return this.redis.client.smembers('party:rooms');
  }

  /** Drops members not seen since `staleBefore`; deletes the room when it has been empty since `expireBefore`. */
  async sweep(roomId: string, now: number, staleBefore: number, expireBefore: number): Promise<SweepResult> {
    const reply = (await this.redis.client.eval(
      SWEEP,
      4,
      ...this.keys(roomId),
      now,
      staleBefore,
      expireBefore,
    )) as [string, string?, number?, ...string[]];
    if (reply[0] === 'gone' || reply[0] === 'expired') {
      await this.redis.client.srem('party:rooms', roomId);
      return { outcome: reply[0] };
    }
    return {
      outcome: 'kept',
      hostId: reply[1] ?? '',
      empty: reply[2] === 1,
      stale: reply.slice(3) as string[],
    };
  }
}
