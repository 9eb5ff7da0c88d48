import { Injectable } from '@nestjs/common';
import { type Title } from '../../library/schemas/title.schema.js';
import { CatalogQueryService } from '../../library/catalog/catalog-query.service.js';
import { LibraryService } from '../../library/library.service.js';
import { cutText, episodeCode, escapeHtml } from '../format/text-format.js';
import { WatchLinks } from '../library/watch-links.js';

const RESULTS = 5;
const LINKS_PER_TITLE = 3;
/** How much of the query a reply repeats. */
const ECHO_CHARACTERS = 100;

/** `/search <query>`: the best matching titles, each with signed watch links to its newest files. */
@Injectable()
export class BotSearchService {
  constructor(
    private readonly catalog: CatalogQueryService,
    private readonly library: LibraryService,
    private readonly links: WatchLinks,
  ) {}

  async answer(query: string): Promise<string> {
    const q = query.trim();
    if (!q) return 'Send <code>/search &lt;words&gt;</code>, for example <code>/search breaking bad</code>.';
    const page = await this.catalog.search(q, { limit: RESULTS });
    if (page.items.length === 0 && page.rebuilding) {
      return 'The library index is being rebuilt; try again in a minute.';
    }
    // Echoed cut short: a long query, escaped, could pass Telegram's 4,096 characters and no reply would go.
    const shown = escapeHtml(cutText(q, ECHO_CHARACTERS));
    if (page.items.length === 0) return `Nothing in the library matches “${shown}”.`;
    // The links need each title's files: a handful of `_id` lookups.
    const titles = await this.library.titlesByIds(page.items.map((card) => card.id));
    const blocks = titles.map((title, index) => this.block(index + 1, title));
    const more = page.total > RESULTS ? `\n\n${page.total - RESULTS} more match; refine the words.` : '';
    return `🔎 <b>${shown}</b>\n\n${blocks.join('\n\n')}${more}`;
  }

  private block(position: number, title: Title): string {
    const year = title.year ? ` (${title.year})` : '';
    const header = `<b>${position}. ${escapeHtml(title.name)}</b>${year} · ${title.kind}`;
    const files = filesOf(title).slice(-LINKS_PER_TITLE);
    if (files.length === 0) return `${header}\nno playable file yet`;
    const links = files.map(
      ({ label, fileId }) => `<a href="${escapeHtml(this.links.sign(fileId))}">▶ ${label}</a>`,
    );
    return `${header}\n${links.join(' · ')}`;
  }
}

/** A title's files in library order: a movie's cuts, or a series' episodes season by season. */
function filesOf(title: Title): { label: string; fileId: string }[] {
  if (title.seasons.length === 0) {
    return title.fileIds.map((id, index) => ({
      label: title.fileIds.length > 1 ? `Watch ${index + 1}` : 'Watch',
      fileId: String(id),
    }));
  }
  return title.seasons.flatMap((season) =>
    season.episodes.flatMap((episode) =>
      episode.fileIds.slice(0, 1).map((id) => ({
        label: episodeCode(season.number, [episode.number]),
        fileId: String(id),
      })),
    ),
  );
}
