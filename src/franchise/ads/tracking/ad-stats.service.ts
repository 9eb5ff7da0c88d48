import { Injectable } from '@nestjs/common';
import { AppError } from '../../../core/errors/app-error.js';
import { TenantDirectory } from '../../../core/tenancy/tenant-directory.js';
import { COUNTER_DAYS_KEPT, AdCountersRepository, counterDays } from './ad-counters.repository.js';
import { AdDaysRepository } from './ad-days.repository.js';
import { type AdEvent, type AdEventSource, counterField, utcDay } from './ad-event.js';

/** The longest range one stats request covers. */
export const MAX_STATS_DAYS = 366;
const DAY_MS = 86_400_000;

export interface AdStatsDay {
  day: string;
  counts: Record<string, number>;
}

export interface AdStats {
  owner: string;
  from: string;
  to: string;
  days: AdStatsDay[];
  totals: Record<string, number>;
}

/**
 * Counts ad events per owner per day (Redis, atomic) and answers the panel's statistics: the days Redis
 * still holds from Redis (the freshest), older ones from their Mongo copy.
 */
@Injectable()
export class AdStatsService {
  constructor(
    private readonly counters: AdCountersRepository,
    private readonly stored: AdDaysRepository,
    private readonly tenants: TenantDirectory,
  ) {}

  async record(owner: string, event: AdEvent, source: AdEventSource, at = new Date()): Promise<void> {
    await this.counters.count(owner, utcDay(at), counterField(event, source));
  }

  async stats(owner: string, from: string, to: string, now = new Date()): Promise<AdStats> {
    const days = dayRange(from, to);
    const recent = new Set(
      days.filter((day) => Date.parse(utcDay(now)) - Date.parse(day) < COUNTER_DAYS_KEPT * DAY_MS),
    );
    const stored = new Map((await this.stored.find(owner, days)).map((row) => [row.day, row.counts]));
    const result: AdStatsDay[] = [];
    const totals: Record<string, number> = {};
    for (const day of days) {
      const live = recent.has(day) ? await this.counters.day(owner, day) : {};
      const counts = Object.keys(live).length > 0 ? live : (stored.get(day) ?? {});
      for (const [field, value] of Object.entries(counts)) totals[field] = (totals[field] ?? 0) + value;
      result.push({ day, counts });
    }
    return { owner, from, to, days: result, totals };
  }

  /**
   * Copies the days Redis holds into Mongo (idempotent); the flusher runs it. An owner that is no
   * longer a tenant (an event in flight during its purge counted again) is dropped, never copied.
   */
  async flush(now = new Date()): Promise<number> {
    let copied = 0;
    for (const owner of await this.counters.owners()) {
      // The default site is an owner too: byId knows it.
      if (!(await this.tenants.byId(owner))) {
        await this.counters.forgetOwner(owner, counterDays(now.getTime()));
        // A copy made while the purge ran (the tenant still listed) goes with it.
        await this.stored.deleteForOwner(owner);
        continue;
      }
      for (let back = 0; back < COUNTER_DAYS_KEPT; back++) {
        const day = utcDay(new Date(now.getTime() - back * DAY_MS));
        const counts = await this.counters.day(owner, day);
        if (Object.keys(counts).length === 0) continue;
        await this.stored.save(owner, day, counts);
        copied++;
      }
    }
    return copied;
  }
}

/** Every UTC day from `from` to `to` inclusive; 400 for bad or reversed dates or too long a range. */
export function dayRange(from: string, to: string): string[] {
  const start = dayStart(from);
  const end = dayStart(to);
  const count = (end - start) / DAY_MS + 1;
  if (count < 1 || count > MAX_STATS_DAYS)
    throw new AppError(
      400,
      'bad_range',
      `from must not be after to, and the range at most ${MAX_STATS_DAYS} days.`,
    );
  return Array.from({ length: count }, (_, index) => utcDay(new Date(start + index * DAY_MS)));
}

/** The day `days` before `day` (a default `from`); 400 for a `day` that is no date. */
export function daysBefore(day: string, days: number): string {
  return utcDay(new Date(dayStart(day) - days * DAY_MS));
}

/**
 * The first instant of a UTC day written YYYY-MM-DD; 400 for anything else, a month 13 or a
 * February 30 included. A day of year 0 back-computes a default `from` into year -1, which no
 * YYYY-MM-DD can name: refused too.
 */
function dayStart(day: string): number {
  const start = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(start) || utcDay(new Date(start)) !== day)
    throw new AppError(400, 'bad_range', 'from and to must be dates such as 2026-12-01.');
  return start;
}
