import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { type Identity } from '../../core/identity/identity.js';
import { type TitleCard } from '../../library/catalog/title-card.js';
import { CatalogQueryService } from '../../library/catalog/catalog-query.service.js';
import { ProgressService } from '../../site/progress/progress.service.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { chapterLinkTypes, type ChapterLinkTypes, THUMBNAIL_WIDTH } from '../chapters/chapter-link-types.js';
import { type ComicSeries } from '../chapters/chapter.schema.js';
import { ReadVaultService } from '../readvault.service.js';
import {
  ACQUISITION_TYPE,
  type Feed,
  type FeedEntry,
  type FeedLink,
  NAVIGATION_TYPE,
  OPDS_ROOT,
  PSE_STREAM,
} from './opds-feed.js';

export const SERIES_PER_PAGE = 50;

/** Feeds of the OPDS 1.2 catalog: the root, series lists (paged, searchable) and each series' chapters. */
@Injectable()
export class OpdsService {
  constructor(
    private readonly readvault: ReadVaultService,
    private readonly catalog: CatalogQueryService,
    private readonly progress: ProgressService,
  ) {}

  root(): Feed {
    return {
      id: 'urn:streamvault:opds:root',
      title: 'StreamVault',
      updated: new Date(),
      links: [...common('/catalog', NAVIGATION_TYPE)],
      entries: [
        navigation('latest', 'Latest series', 'Series with new chapters first', '/series'),
        navigation('a-z', 'Series A–Z', 'Every series by name', '/series/a-z'),
        navigation('genres', 'Genres', 'Series by genre', '/genres'),
        navigation(
          'continue',
          'Continue reading',
          'Chapters you are reading, where you left off',
          '/continue',
          ACQUISITION_TYPE,
        ),
      ],
    };
  }

  /** Every series by name, from the catalog index (no scan of the titles). */
  async seriesByName(page: number): Promise<Feed> {
    return this.cardList(page, '/series/a-z', 'urn:streamvault:opds:a-z', 'Series A–Z', {});
  }

  /** Genres of the manga in the library, each with its count, linked to its series. */
  async genres(): Promise<Feed> {
    const facets = await this.catalog.facets({ kind: 'manga' });
    return {
      id: 'urn:streamvault:opds:genres',
      title: 'Genres',
      updated: new Date(),
      links: [...common('/genres', NAVIGATION_TYPE)],
      entries: facets.genres.map((genre) => ({
        id: `urn:streamvault:opds:genre:${encodeURIComponent(genre.value)}`,
        // The index keeps genres in lower case; apps show them as a heading.
        title: genre.value.replace(/(^|\s)\p{Ll}/gu, (letter) => letter.toUpperCase()),
        updated: new Date(),
        content: `${genre.count} series`,
        links: [
          {
            rel: 'subsection',
            href: `${OPDS_ROOT}/genres/${encodeURIComponent(genre.value)}`,
            type: NAVIGATION_TYPE,
            count: genre.count,
          },
        ],
      })),
    };
  }

  async genre(genre: string, page: number): Promise<Feed> {
    const path = `/genres/${encodeURIComponent(genre)}`;
    // cardList adds the page; the genre is any text, so encoded to keep the id an IRI.
    return this.cardList(page, path, `urn:streamvault:opds:genre:${encodeURIComponent(genre)}`, genre, {
      genre,
    });
  }

  /**
   * The chapters this account is reading (the site's continue row), each with PSE's `lastRead` (the
   * page index from 0) so the app opens it where the reader left off.
   */
  async continueReading(identity: Identity): Promise<Feed> {
    const items = (await this.progress.continueWatching(identity, 30)).filter((item) => item.chapterId);
    const entries: FeedEntry[] = [];
    for (const item of items) {
      // The chapter's series from the saved place (its chapter list has the link types); the chapter
      // record only for a place saved without its title.
      const seriesId =
        item.titleId && Types.ObjectId.isValid(item.titleId)
          ? new Types.ObjectId(item.titleId)
          : (await this.readvault.findChapter(item.chapterId!))?.seriesId;
      if (!seriesId) continue;
      const { title, series } = await this.readvault.series(seriesId).catch(() => ({
        title: undefined,
        series: undefined,
      }));
      const listed = series?.chapters.find((entry) => entry.id === item.chapterId);
      if (!title || !series || !listed) continue;
      const [links] = await this.linkTypes([listed]);
      const entry = chapterEntry(title, series, listed, links);
      entries.push({
        ...entry,
        updated: item.updatedAt ?? entry.updated,
        links: entry.links.map((link) =>
          link.rel === PSE_STREAM
            ? {
                ...link,
                pseLastRead: Math.max(0, item.position - 1),
                pseLastReadDate: item.updatedAt ?? undefined,
              }
            : link,
        ),
      });
    }
    return {
      id: `urn:streamvault:opds:continue:${identity.id}`,
      title: 'Continue reading',
      updated: new Date(),
      links: [...common('/continue', ACQUISITION_TYPE)],
      entries,
    };
  }

  private async cardList(
    page: number,
    path: string,
    id: string,
    heading: string,
    filter: { genre?: string },
  ): Promise<Feed> {
    const found = await this.catalog.list({
      kind: 'manga',
      genre: filter.genre,
      sort: 'name',
      limit: SERIES_PER_PAGE,
      offset: (page - 1) * SERIES_PER_PAGE,
    });
    const links: FeedLink[] = [...common(path, NAVIGATION_TYPE)];
    if (page * SERIES_PER_PAGE < found.total)
      links.push({ rel: 'next', href: `${OPDS_ROOT}${path}?page=${page + 1}`, type: NAVIGATION_TYPE });
    if (page > 1)
      links.push({ rel: 'previous', href: `${OPDS_ROOT}${path}?page=${page - 1}`, type: NAVIGATION_TYPE });
    return {
      id: `${id}:${page}`,
      title: heading,
      updated: new Date(),
      links,
      entries: found.items.map(cardEntry),
    };
  }

  /**
   * Series, most recently updated first, or those matching `q`, from the catalog index (so within the
   * site's scope, like every list); `rel="next"` while more follow.
   */
  async seriesList(page: number, q?: string): Promise<Feed> {
    const paging = { kind: 'manga' as const, limit: SERIES_PER_PAGE, offset: (page - 1) * SERIES_PER_PAGE };
    const found =
      q === undefined
        ? await this.catalog.list({ ...paging, sort: 'newest' })
        : await this.catalog.search(q, paging);
    const path = q === undefined ? '/series' : '/search';
    const query = (n: number) =>
      `${OPDS_ROOT}${path}?${q === undefined ? '' : `q=${encodeURIComponent(q)}&`}page=${n}`;
    const links: FeedLink[] = [...common(path, NAVIGATION_TYPE)];
    if (page * SERIES_PER_PAGE < found.total)
      links.push({ rel: 'next', href: query(page + 1), type: NAVIGATION_TYPE });
    if (page > 1) links.push({ rel: 'previous', href: query(page - 1), type: NAVIGATION_TYPE });
    return {
      id: `urn:streamvault:opds:${q === undefined ? 'series' : `search:${encodeURIComponent(q)}`}:${page}`,
      title: q === undefined ? 'Latest series' : `Search: ${q}`,
      updated: new Date(),
      links,
      entries: found.items.map(cardEntry),
    };
  }

  /**
   * One series: an entry per chapter with its CBZ, cover, thumbnail and PSE page stream. One series
   * read (and the cover's chapter), whatever the chapter count: the list keeps each chapter's types.
   */
  async series(id: Types.ObjectId): Promise<Feed> {
    const { title, series } = await this.readvault.series(id);
    const [cover, links] = await Promise.all([
      this.readvault.seriesCoverImage(series, THUMBNAIL_WIDTH),
      this.linkTypes(series.chapters),
    ]);
    return {
      id: `urn:streamvault:series:${String(title._id)}`,
      title: title.name,
      updated: series.updatedAt,
      links: [
        ...common(`/series/${String(title._id)}`, ACQUISITION_TYPE),
        // The series' cover (the admin's choice), through the OPDS page route apps are signed in to.
        ...(cover
          ? [
              {
                rel: 'http://opds-spec.org/image/thumbnail',
                href: cover.href.replace('/api/readvault/', `${OPDS_ROOT}/`),
                type: cover.type,
              },
            ]
          : []),
      ],
      entries: series.chapters.map((chapter, i) => chapterEntry(title, series, chapter, links[i])),
    };
  }

  /**
   * Each listed chapter's link types: as kept in the list, else (entries filed before they were
   * kept, until the backfill has run) from the chapter's pages, reading only those chapters.
   */
  private async linkTypes(listed: ComicSeries['chapters']): Promise<(ChapterLinkTypes | undefined)[]> {
    const unknown = listed.filter((entry) => !entry.links).map((entry) => entry.id);
    const read = new Map(
      (await this.readvault.findChapters(unknown)).map((chapter, i) => [unknown[i], chapter?.pages ?? []]),
    );
    return listed.map((entry) => entry.links ?? chapterLinkTypes(read.get(entry.id) ?? []));
  }
}

function common(self: string, type: string): FeedLink[] {
  return [
    { rel: 'self', href: `${OPDS_ROOT}${self}`, type },
    { rel: 'start', href: `${OPDS_ROOT}/catalog`, type: NAVIGATION_TYPE },
    { rel: 'search', href: `${OPDS_ROOT}/search.xml`, type: 'application/opensearchdescription+xml' },
  ];
}

function navigation(
  key: string,
  title: string,
  content: string,
  path: string,
  type = NAVIGATION_TYPE,
): FeedEntry {
  return {
    id: `urn:streamvault:opds:${key}`,
    title,
    updated: new Date(),
    content,
    links: [{ rel: 'subsection', href: `${OPDS_ROOT}${path}`, type }],
  };
}

function cardEntry(card: TitleCard): FeedEntry {
  return {
    id: `urn:streamvault:series:${card.id}`,
    title: card.name,
    updated: new Date(card.updatedAt),
    categories: card.genres,
    // Atom asks an entry without an alternate link for a content.
    content: card.name,
    links: [{ rel: 'subsection', href: `${OPDS_ROOT}/series/${card.id}`, type: ACQUISITION_TYPE }],
  };
}

/**
 * A chapter with its CBZ and, when its pages are known, its cover, thumbnail and PSE stream, each
 * declaring the type the page route answers for it.
 */
function chapterEntry(
  title: Title,
  series: ComicSeries,
  chapter: ComicSeries['chapters'][number],
  types: ChapterLinkTypes | undefined,
): FeedEntry {
  const id = encodeURIComponent(chapter.id);
  const pagePath = `${OPDS_ROOT}/chapters/${id}/pages`;
  const label = [
    chapter.volume !== undefined && `Vol. ${chapter.volume}`,
    chapter.number !== undefined && `Ch. ${chapter.number}`,
    chapter.title,
  ]
    .filter(Boolean)
    .join(' ');
  const fullTitle = `${title.name} ${label}`.trim();
  return {
    id: `urn:streamvault:chapter:${chapter.id}`,
    title: fullTitle,
    updated: series.updatedAt,
    authors: [series.writer, series.penciller].filter((name): name is string => Boolean(name)),
    categories: series.genres,
    language: series.language,
    // Atom asks an entry without an alternate link for a content.
    content: series.summary || fullTitle,
    links: [
      {
        rel: 'http://opds-spec.org/acquisition',
        href: `${OPDS_ROOT}/chapters/${id}/file`,
        type: 'application/vnd.comicbook+zip',
      },
      ...(types
        ? [
            { rel: 'http://opds-spec.org/image', href: `${pagePath}/1`, type: types.image },
            {
              rel: 'http://opds-spec.org/image/thumbnail',
              href: `${pagePath}/1?width=${THUMBNAIL_WIDTH}`,
              type: types.thumbnail,
            },
            // PSE numbers pages from 0; apps put their screen width in {maxWidth}.
            {
              rel: PSE_STREAM,
              href: `${OPDS_ROOT}/chapters/${id}/pse/{pageNumber}?width={maxWidth}`,
              type: types.pse,
              pseCount: chapter.pageCount,
            },
          ]
        : []),
    ],
  };
}
