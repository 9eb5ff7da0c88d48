import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Types } from 'mongoose';
import { ArtworkRequests } from '../artwork/artwork-requests.js';
import { LibraryService } from '../library.service.js';
import { type Title, type TitleEnrichment } from '../schemas/title.schema.js';
import { METADATA_PROVIDERS, type MetadataProvider, MetadataUnavailableError } from './metadata-provider.js';

/**
 * Describes a title from the catalogues: Jikan then TMDB for anime, TMDB for movies and series. Fields
 * an admin edited stay as they are (LibraryService.enrich honours `lockedFields`). When every catalogue
 * that could answer is unreachable it throws MetadataUnavailableError, so the job is retried later.
 */
@Injectable()
export class EnrichmentService {
  private readonly logger = new Logger('enrichment');

  constructor(
    private readonly library: LibraryService,
    @Inject(METADATA_PROVIDERS) private readonly providers: readonly MetadataProvider[],
    private readonly artwork: ArtworkRequests,
  ) {}

  async enrich(titleId: Types.ObjectId): Promise<TitleEnrichment> {
    const title = await this.library.requireTitle(titleId);
    const providers = this.providers.filter((provider) => provider.serves(title.kind));
    if (providers.length === 0) {
      return this.record(title, {
        state: 'skipped',
        detail: `no catalogue is configured for ${title.kind} titles (set TMDB_API_KEY)`,
      });
    }
    const failures: string[] = [];
    for (const provider of providers) {
      try {
        const fields = await provider.lookup({ kind: title.kind, name: title.name, year: title.year });
        if (!fields) continue;
        // The name we filed it under stays findable when the catalogue's name differs.
        const aliases = [...new Set([...(fields.aliases ?? []), ...title.aliases, title.name])].filter(
          (alias) => alias !== fields.name,
        );
        const enriched = await this.library.enrich(title._id, { ...fields, aliases });
        const stills = await this.episodeStills(provider, enriched);
        // Pages show local copies only: fetch what the catalogue pointed at, once, on a worker.
        if (enriched.poster || enriched.backdrop || stills.found > 0) await this.artwork.request(title._id);
        return this.record(title, {
          state: 'matched',
          provider: provider.name,
          ...(stills.missing
            ? { detail: `episode stills not fetched (${stills.missing}); a re-enrichment asks again` }
            : {}),
        });
      } catch (error) {
        if (!(error instanceof MetadataUnavailableError)) throw error;
        failures.push(`${provider.name}: ${error.message}`);
      }
    }
    if (failures.length > 0) {
      await this.record(title, { state: 'unavailable', detail: failures.join('; ') });
      throw new MetadataUnavailableError(failures.join('; '));
    }
    return this.record(title, { state: 'no-match', detail: `no catalogue knows "${title.name}"` });
  }

  /**
   * Series: the matched catalogue's episode stills for the seasons the title has (how many were
   * found). The match stands when only the stills call fails: the title keeps what it had and says why.
   */
  private async episodeStills(
    provider: MetadataProvider,
    title: Title,
  ): Promise<{ found: number; missing?: string }> {
    if (title.kind === 'movie' || !provider.episodeStills || title.seasons.length === 0) return { found: 0 };
    let stills;
    try {
      stills = await provider.episodeStills(
        title.externalIds ?? {},
        title.seasons.map((season) => season.number),
      );
    } catch (error) {
      if (!(error instanceof MetadataUnavailableError)) throw error;
      return { found: 0, missing: error.message };
    }
    if (stills.length === 0 && !title.episodeStills?.length) return { found: 0 };
    await this.library.setEpisodeStills(title._id, stills);
    return { found: stills.length };
  }

  private async record(title: Title, outcome: Omit<TitleEnrichment, 'at'>): Promise<TitleEnrichment> {
    const enrichment = { ...outcome, at: new Date() };
    await this.library.recordEnrichment(title._id, enrichment);
    this.logger.log(
      `title ${String(title._id)} "${title.name}": ${outcome.state} ${outcome.detail ?? outcome.provider ?? ''}`,
    );
    return enrichment;
  }
}
