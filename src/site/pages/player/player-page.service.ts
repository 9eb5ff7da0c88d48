import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { AppError } from '../../../core/errors/app-error.js';
import { type EpisodeRef } from '../../../library/episode-comment.repository.js';
import { EpisodeCommentService } from '../../../library/episode-comment.service.js';
import { LibraryService } from '../../../library/library.service.js';
import { type MediaFile } from '../../../library/schemas/media-file.schema.js';
import { type Title } from '../../../library/schemas/title.schema.js';
import { TEXT_SUBTITLE_CODECS } from '../../../stream/subtitles/subtitle-extractor.js';
import { fileFacts } from '../file-facts.js';
import { MediaLinks } from '../media-links.js';
import { presentComment } from '../title/title-page.service.js';
import { placeAndNext } from './next-episode.js';

/** An episode's comments shown with its player; older ones through the comments API. */
const COMMENTS_ON_PAGE = 50;

/** How a track is named to the progress API (remembered per title): its language, else its place. */
function trackKey(track: { language?: string }, position: number): string {
  const language = track.language?.toLowerCase();
  return language && /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/.test(language) && language !== 'und'
    ? language
    : `track-${position}`;
}

/** The player page: the file's signed stream, text subtitles, tracks, and the episode after it. */
@Injectable()
export class PlayerPageService {
  constructor(
    private readonly library: LibraryService,
    private readonly links: MediaLinks,
    private readonly episodeComments: EpisodeCommentService,
  ) {}

  async page(fileId: Types.ObjectId) {
    const file = await this.library.requireFile(fileId);
    const title = file.titleId ? await this.titleOf(file.titleId) : undefined;
    const id = String(file._id);
    const { current, next } = title ? placeAndNext(title.seasons, file._id) : {};
    const episode =
      title && current ? { titleId: title._id, season: current.season, episode: current.episode } : undefined;
    // Both are `_id` lookups that need only the title: read them together.
    const [nextFile, comments] = await Promise.all([
      next ? this.library.findFiles([next.fileId]).then((files) => files[0]) : undefined,
      episode ? this.episodeComments.newest(episode, COMMENTS_ON_PAGE) : undefined,
    ]);
    const stream = this.links.stream(id, file.fileName);
    return {
      fileId: id,
      titleId: title ? String(title._id) : undefined,
      heading: title?.name ?? file.fileName,
      episodeLabel: current ? episodeLabel(title!, current.season, current.episode) : undefined,
      stream,
      // Browsers sniff Matroska themselves; declaring its type would make some refuse it outright.
      mime: file.mime === 'video/x-matroska' ? '' : file.mime,
      poster:
        file.screenshots.length > 0
          ? this.links.still(id, Math.floor(file.screenshots.length / 2))
          : undefined,
      subtitles: this.subtitles(file),
      audio: file.streams.audio.map((track, position) => ({
        key: trackKey(track, position),
        label: track.title ?? track.language ?? `Audio ${position + 1}`,
      })),
      facts: fileFacts(file),
      comments:
        episode && comments
          ? {
              action: `/play/${id}/comments`,
              url: `/api/titles/${String(episode.titleId)}/episodes/${episode.season}/${episode.episode}/comments`,
              items: comments.items.map(presentComment),
              total: comments.total,
              more: comments.total > comments.items.length,
            }
          : undefined,
      next:
        next && nextFile
          ? {
              fileId: String(nextFile._id),
              href: `/play/${String(nextFile._id)}?autoplay=1`,
              label: episodeLabel(title!, next.season, next.episode),
            }
          : undefined,
    };
  }

  /** The series episode a file plays (its comments' address); 404 for a film or a loose file. */
  async episodeOf(fileId: Types.ObjectId): Promise<EpisodeRef> {
    const file = await this.library.requireFile(fileId);
    const title = file.titleId ? await this.titleOf(file.titleId) : undefined;
    const current = title ? placeAndNext(title.seasons, file._id).current : undefined;
    if (!title || !current)
      throw new AppError(
        404,
        'not_found',
        'This video is not an episode of a series: comment on its title page.',
      );
    return { titleId: title._id, season: current.season, episode: current.episode };
  }

  /** A file may outlive its title for a moment (deletion drains later): then it plays without one. */
  private async titleOf(titleId: Types.ObjectId): Promise<Title | undefined> {
    try {
      return await this.library.requireTitle(titleId);
    } catch (error) {
      if (error instanceof AppError && error.getStatus() === 404) return undefined;
      throw error;
    }
  }

  private subtitles(file: MediaFile) {
    const id = String(file._id);
    return file.streams.subtitles
      .map((track, position) => ({ track, position }))
      .filter(({ track }) => !track.bitmap && TEXT_SUBTITLE_CODECS.has(track.codec))
      .map(({ track, position }) => ({
        url: this.links.subtitle(id, position),
        key: trackKey(track, position),
        language: track.language ?? 'und',
        label: track.title ?? track.language ?? `Subtitles ${position + 1}`,
      }));
  }
}

function episodeLabel(title: Title, season: number, episode: number): string {
  const name = title.seasons
    .find((s) => s.number === season)
    ?.episodes.find((e) => e.number === episode)?.name;
  const code = `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
  return name ? `${code} · ${name}` : code;
}
