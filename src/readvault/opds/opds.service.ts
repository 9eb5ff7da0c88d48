import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { type Title } from '../../library/schemas/title.schema.js';
import { TitleSearchService } from '../../library/title-search.service.js';
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
const THUMBNAIL_WIDTH = 320;

/** Feeds of the OPDS 1.2 catalog: the root, series lists (paged, searchable) and each series' chapters. */
@Injectable()
export class OpdsService {
  constructor(
    private readonly readvault: ReadVaultService,
    private readonly search: TitleSearchService,
  ) {}

  root(): Feed {
    return {
      id: 'urn:streamvault:opds:root',
      title: 'StreamVault',
      updated: new Date(),
      links: [...common('/catalog', NAVIGATION_TYPE)],
      entries: [
        {
          id: 'urn:streamvault:opds:latest',
          title: 'Latest series',
          updated: new Date(),
          content: 'Series with new chapters first',
          links: [{ rel: 'subsection', href: `${OPDS_ROOT}/series`, type: NAVIGATION_TYPE }],
        },
      ],
    };
  }

  /** Series, most recently updated first, or those matching `q`; `rel="next"` while more follow. */
  async seriesList(page: number, q?: string): Promise<Feed> {
    const found = await this.search.search({ kind: 'manga', q, page, pageSize: SERIES_PER_PAGE });
    const path = q === undefined ? '/series' : '/search';
    const query = (n: number) =>
      `${OPDS_ROOT}${path}?${q === undefined ? '' : `q=${encodeURIComponent(q)}&`}page=${n}`;
    const links: FeedLink[] = [...common(path, NAVIGATION_TYPE)];
    if (page * SERIES_PER_PAGE < found.total)
      links.push({ rel: 'next', href: query(page + 1), type: NAVIGATION_TYPE });
    if (page > 1) links.push({ rel: 'previous', href: query(page - 1), type: NAVIGATION_TYPE });
    return {
      id: `urn:streamvault:opds:${q === undefined ? 'series' : `search:${q}`}:${page}`,
      title: q === undefined ? 'Latest series' : `Search: ${q}`,
      updated: new Date(),
      links,
      entries: found.items.map((title) => seriesEntry(title)),
    };
  }

  /** One series: an entry per chapter with its CBZ, cover, thumbnail and PSE page stream. */
  async series(id: Types.ObjectId): Promise<Feed> {
    const { title, series } = await this.readvault.series(id);
    return {
      id: `urn:streamvault:series:${String(title._id)}`,
      title: title.name,
      updated: series.updatedAt,
      links: [...common(`/series/${String(title._id)}`, ACQUISITION_TYPE)],
      entries: series.chapters.map((chapter) => chapterEntry(title, series, chapter)),
    };
  }
}

function common(self: string, type: string): FeedLink[] {
  return [
    { rel: 'self', href: `${OPDS_ROOT}${self}`, type },
    { rel: 'start', href: `${OPDS_ROOT}/catalog`, type: NAVIGATION_TYPE },
    { rel: 'search', href: `${OPDS_ROOT}/search.xml`, type: 'application/opensearchdescription+xml' },
  ];
}

function seriesEntry(title: Title): FeedEntry {
  return {
    id: `urn:streamvault:series:${String(title._id)}`,
    title: title.name,
    updated: title.updatedAt ?? new Date(),
    content: title.overview,
    links: [{ rel: 'subsection', href: `${OPDS_ROOT}/series/${String(title._id)}`, type: ACQUISITION_TYPE }],
  };
}

function chapterEntry(
  title: Title,
  series: ComicSeries,
  chapter: ComicSeries['chapters'][number],
): FeedEntry {
  const id = encodeURIComponent(chapter.id);
  const pages = `${OPDS_ROOT}/chapters/${id}/pages`;
  const label = [
    chapter.volume !== undefined && `Vol. ${chapter.volume}`,
    chapter.number !== undefined && `Ch. ${chapter.number}`,
    chapter.title,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    id: `urn:streamvault:chapter:${chapter.id}`,
    title: `${title.name} ${label}`.trim(),
    updated: series.updatedAt,
    authors: [series.writer, series.penciller].filter((name): name is string => Boolean(name)),
    categories: series.genres,
    language: series.language,
    content: series.summary,
    links: [
      {
        rel: 'http://opds-spec.org/acquisition',
        href: `${OPDS_ROOT}/chapters/${id}/file`,
        type: 'application/vnd.comicbook+zip',
      },
      { rel: 'http://opds-spec.org/image', href: `${pages}/1`, type: 'image/jpeg' },
      {
        rel: 'http://opds-spec.org/image/thumbnail',
        href: `${pages}/1?width=${THUMBNAIL_WIDTH}`,
        type: 'image/webp',
      },
      // PSE numbers pages from 0; apps put their screen width in {maxWidth}.
      {
        rel: PSE_STREAM,
        href: `${OPDS_ROOT}/chapters/${id}/pse/{pageNumber}?width={maxWidth}`,
        type: 'image/jpeg',
        pseCount: chapter.pageCount,
      },
    ],
  };
}
