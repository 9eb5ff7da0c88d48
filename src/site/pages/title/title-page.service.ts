import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Types } from 'mongoose';
import { AppError } from '../../../core/errors/app-error.js';
import { formatClock } from '../../../core/util/format-units.js';
import { CommentService, type CommentView } from '../../../library/comment.service.js';
import { LibraryService } from '../../../library/library.service.js';
import { type FileCard } from '../../../library/file-card.js';
import { type ExternalIds, type Title } from '../../../library/schemas/title.schema.js';
import { artworkSrc, initialOf } from '../artwork.js';
import { kindLabel } from '../catalog/card-view.js';
import { fileFacts } from '../file-facts.js';
import { MediaLinks } from '../media-links.js';
import { ReadVaultService } from '../../../readvault/readvault.service.js';
import { chapterLabel, chaptersByVolume } from '../../../readvault/reading/chapter-order.js';

/** Comments shown with the page; older ones are a "more" away (the comments API pages them). */
const COMMENTS_ON_PAGE = 50;

/** A page id that is not an ObjectId is an unknown page (404), not a malformed request. */
export function pageObjectId(id: string, what: string): Types.ObjectId {
  if (!/^[0-9a-f]{24}$/i.test(id))
    throw new AppError(404, 'not_found', `There is no ${what} at this address.`);
  return new Types.ObjectId(id);
}

/**
 * Everything the title page shows, read by `_id` (the title, its comments) and from the files' cards
 * (one Redis read for the whole file list).
 */
@Injectable()
export class TitlePageService {
  constructor(
    private readonly library: LibraryService,
    private readonly comments: CommentService,
    private readonly links: MediaLinks,
    private readonly modules: ModuleRef,
  ) {}

  async page(titleId: Types.ObjectId) {
    // Comments do not depend on the title's contents: read them alongside (each read is a round trip).
    const [title, comments] = await Promise.all([
      this.library.requireTitle(titleId),
      this.comments.listOfKnownTitle(titleId, 1, COMMENTS_ON_PAGE),
    ]);
    const files = await this.library.fileCardsOfTitle(title);
    const byId = new Map(files.map((file) => [String(file._id), file]));
    const filesOf = (ids: Types.ObjectId[]) =>
      ids.map((id) => byId.get(String(id))).filter((file): file is FileCard => file !== undefined);

    // The catalogue's episode stills (local copies) first; a frame of the episode's file otherwise.
    const catalogueStills = new Map(
      (title.episodeStills ?? []).map((still) => [`${still.season}:${still.episode}`, still.artwork]),
    );
    const seasons = [...title.seasons]
      .sort((a, b) => a.number - b.number)
      .map((season, index) => ({
        number: season.number,
        label: season.number === 0 ? 'Specials' : `Season ${season.number}`,
        open: index === 0,
        episodes: [...season.episodes]
          .sort((a, b) => a.number - b.number)
          .map((episode) => {
            const episodeFiles = filesOf(episode.fileIds);
            const first = episodeFiles[0];
            return {
              key: `${season.number}:${episode.number}`,
              label: `E${String(episode.number).padStart(2, '0')}`,
              name: episode.name ?? `Episode ${episode.number}`,
              still:
                artworkSrc(catalogueStills.get(`${season.number}:${episode.number}`), 'w342') ??
                (first ? this.still(first) : undefined),
              duration: first?.duration ? formatClock(first.duration) : undefined,
              fileIds: episodeFiles.map((file) => String(file._id)).join(' '),
              files: episodeFiles.map(fileFacts),
            };
          }),
      }));
    const movieFiles = filesOf(title.fileIds).map(fileFacts);
    const volumes = title.kind === 'manga' ? await this.volumes(title._id) : [];
    // A manga without artwork shows its cover page (the admin's choice, else the first page).
    const cover =
      title.kind === 'manga' && !title.artwork?.poster
        ? await this.modules.get(ReadVaultService, { strict: false }).seriesCover(title._id)
        : undefined;
    const firstFile = movieFiles[0]?.id ?? seasons[0]?.episodes[0]?.files[0]?.id;
    return {
      id: String(title._id),
      name: title.name,
      originalName: title.originalName && title.originalName !== title.name ? title.originalName : undefined,
      kind: kindLabel(title.kind),
      year: title.year,
      overview: title.overview,
      genres: title.genres,
      externalIds: externalLinks(title.externalIds ?? {}, title.kind),
      poster: artworkSrc(title.artwork?.poster, 'w342') ?? cover,
      backdrop: artworkSrc(title.artwork?.backdrop, 'w1280'),
      initial: initialOf(title),
      seasonCount: seasons.length,
      seasonSuffix: seasons.length === 1 ? '' : 's',
      seasons,
      movieFiles,
      isMovie: title.kind === 'movie',
      isManga: title.kind === 'manga',
      volumes,
      chapterCount: volumes.reduce((sum, volume) => sum + volume.chapters.length, 0),
      playHref: firstFile ? `/play/${firstFile}` : undefined,
      readHref: volumes[0]?.chapters[0]?.href,
      comments: comments.items.map(presentComment),
      commentsUrl: `/api/titles/${String(title._id)}/comments`,
      commentsAction: `/title/${String(title._id)}/comments`,
      commentCount: comments.total,
      moreComments: comments.total > comments.items.length,
    };
  }

  /**
   * A manga's volumes and chapters, linked to the reader. ReadVault (which owns chapters) is part of
   * every manager's graph but built for its roles outside this module, hence the lookup.
   */
  private async volumes(titleId: Types.ObjectId) {
    const readvault = this.modules.get(ReadVaultService, { strict: false });
    const chapters = await readvault.seriesChapters(titleId);
    return chaptersByVolume(chapters).map((group) => ({
      label: group.volume === undefined ? 'Chapters' : `Volume ${group.volume}`,
      chapters: group.chapters.map((chapter) => ({
        id: chapter.id,
        href: `/read/${encodeURIComponent(chapter.id)}`,
        label: chapterLabel({ number: chapter.number, title: chapter.title }),
        title: chapter.number !== undefined ? chapter.title : undefined,
        pages: `${chapter.pageCount} page${chapter.pageCount === 1 ? '' : 's'}`,
      })),
    }));
  }

  /** The middle still of the usual three (25/50/75%). */
  private still(file: FileCard): string | undefined {
    if (file.screenshotCount === 0) return undefined;
    return this.links.still(String(file._id), Math.floor(file.screenshotCount / 2));
  }
}

function externalLinks(ids: ExternalIds, kind: Title['kind']) {
  const links: { label: string; value: string; href: string }[] = [];
  if (ids.tmdb)
    links.push({
      label: 'TMDB',
      value: String(ids.tmdb),
      href: `https://www.themoviedb.org/${kind === 'movie' ? 'movie' : 'tv'}/${ids.tmdb}`,
    });
  if (ids.imdb)
    links.push({
      label: 'IMDb',
      value: ids.imdb,
      href: `https://www.imdb.com/title/${encodeURIComponent(ids.imdb)}/`,
    });
  if (ids.mal)
    links.push({
      label: 'MyAnimeList',
      value: String(ids.mal),
      href: `https://myanimelist.net/${kind === 'manga' ? 'manga' : 'anime'}/${ids.mal}`,
    });
  return links;
}

/** A comment as the page shows it; the body stays text (Handlebars escapes it). */
export function presentComment(comment: CommentView) {
  const at = new Date(comment.createdAt);
  return {
    ...comment,
    createdAtIso: at.toISOString(),
    createdAtLabel: at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}
