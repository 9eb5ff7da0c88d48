import { escapeXml } from '../../core/util/xml-text.js';
/** Atom + OPDS 1.2 (+ PSE) markup, built as text: a handful of element kinds, every value escaped. */

export const OPDS_ROOT = '/opds/v1.2';
export const NAVIGATION_TYPE = 'application/atom+xml;profile=opds-catalog;kind=navigation';
export const ACQUISITION_TYPE = 'application/atom+xml;profile=opds-catalog;kind=acquisition';
export const PSE_STREAM = 'http://vaemendis.net/opds-pse/stream';

export interface FeedLink {
  rel: string;
  href: string;
  type: string;
  title?: string;
  /** OPDS-PSE: the page count of a stream link. */
  pseCount?: number;
  /** OPDS-PSE 1.1: the last page read (from 0) and when. */
  pseLastRead?: number;
  pseLastReadDate?: Date;
  /** OPDS 1.2 facet/navigation count (`thr:count`). */
  count?: number;
}

export interface FeedEntry {
  id: string;
  title: string;
  updated: Date;
  content?: string;
  authors?: string[];
  categories?: string[];
  language?: string;
  links: FeedLink[];
}

export interface Feed {
  id: string;
  title: string;
  updated: Date;
  links: FeedLink[];
  entries: FeedEntry[];
}

function link(value: FeedLink): string {
  const count = value.pseCount === undefined ? '' : ` pse:count="${value.pseCount}"`;
  const lastRead =
    value.pseLastRead === undefined
      ? ''
      : ` pse:lastRead="${value.pseLastRead}"${value.pseLastReadDate ? ` pse:lastReadDate="${value.pseLastReadDate.toISOString()}"` : ''}`;
  const thread = value.count === undefined ? '' : ` thr:count="${value.count}"`;
  const title = value.title === undefined ? '' : ` title="${escapeXml(value.title)}"`;
  return `<link rel="${escapeXml(value.rel)}" href="${escapeXml(value.href)}" type="${escapeXml(value.type)}"${title}${count}${lastRead}${thread}/>`;
}

export function renderFeed(feed: Feed): string {
  const entries = feed.entries.map((entry) =>
    [
      '<entry>',
      `<id>${escapeXml(entry.id)}</id>`,
      `<title>${escapeXml(entry.title)}</title>`,
      `<updated>${entry.updated.toISOString()}</updated>`,
      ...(entry.authors ?? []).map((name) => `<author><name>${escapeXml(name)}</name></author>`),
      ...(entry.categories ?? []).map(
        (term) => `<category term="${escapeXml(term)}" label="${escapeXml(term)}"/>`,
      ),
      entry.language ? `<dc:language>${escapeXml(entry.language)}</dc:language>` : '',
      entry.content ? `<content type="text">${escapeXml(entry.content)}</content>` : '',
      ...entry.links.map(link),
      '</entry>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opds="http://opds-spec.org/2010/catalog"',
    ' xmlns:dc="http://purl.org/dc/terms/" xmlns:pse="http://vaemendis.net/opds-pse/ns"',
    ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:thr="http://purl.org/syndication/thread/1.0">',
    `<id>${escapeXml(feed.id)}</id>`,
    `<title>${escapeXml(feed.title)}</title>`,
    `<updated>${feed.updated.toISOString()}</updated>`,
    '<author><name>StreamVault</name></author>',
    ...feed.links.map(link),
    ...entries,
    '</feed>',
  ].join('\n');
}

export function renderOpenSearch(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">',
    '<ShortName>StreamVault</ShortName>',
    '<Description>Search manga and comics</Description>',
    '<InputEncoding>UTF-8</InputEncoding>',
    '<OutputEncoding>UTF-8</OutputEncoding>',
    `<Url type="${ACQUISITION_TYPE}" template="${OPDS_ROOT}/search?q={searchTerms}"/>`,
    '</OpenSearchDescription>',
  ].join('\n');
}
