import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Types } from 'mongoose';
import { LibraryService } from '../../library/library.service.js';
import { type FileCard } from '../../library/file-card.js';
import { type TitleCard } from '../../library/catalog/title-card.js';
import { formatBytes, formatDuration } from '../../core/util/format-units.js';
import { ChapterAdminService } from '../../readvault/chapters/chapter-admin.service.js';

/** Reads a title with its files, shaped for the CMS page. */
@Injectable()
export class LibraryPageService {
  constructor(
    private readonly library: LibraryService,
    private readonly modules: ModuleRef,
  ) {}

  /**
   * ReadVault's part of the CMS (a manga's chapters). ReadVault is built for the process's roles
   * outside this module (on every manager, like this panel), hence the lookup.
   */
  chapters(): ChapterAdminService {
    return this.modules.get(ChapterAdminService, { strict: false });
  }

  async title(id: Types.ObjectId) {
    const title = await this.library.requireTitle(id);
    const files = new Map(
      (await this.library.fileCardsOfTitle(title)).map((file) => [String(file._id), file]),
    );
    const fileRow = (fileId: Types.ObjectId) => presentFile(String(fileId), files.get(String(fileId)));
    return {
      // Not `title`: the layout uses that for the page title.
      entry: title,
      id: String(title._id),
      form: {
        name: title.name,
        originalName: title.originalName ?? '',
        year: title.year ?? '',
        overview: title.overview ?? '',
        genres: title.genres.join(', '),
      },
      isMovie: title.kind === 'movie',
      isManga: title.kind === 'manga',
      manga: title.kind === 'manga' ? await this.chapters().series(title._id) : undefined,
      locked: title.lockedFields.join(', '),
      enrichment: title.enrichment && { ...title.enrichment, at: title.enrichment.at.toISOString() },
      seasons: title.seasons.map((season) => ({
        number: season.number,
        episodes: season.episodes.map((episode) => ({
          number: episode.number,
          name: episode.name ?? '',
          files: episode.fileIds.map(fileRow),
        })),
      })),
      movieFiles: title.fileIds.map(fileRow),
      mismatches: title.mismatches.map((m) => ({ fileId: String(m.fileId), reason: m.reason })),
    };
  }
}

export function presentTitleRow(card: TitleCard) {
  return {
    id: card.id,
    name: card.name,
    kind: card.kind,
    year: card.year ?? '',
    contents:
      card.kind === 'movie'
        ? `${card.files} file(s)`
        : `${card.seasons} season(s), ${card.episodes} episode(s)`,
  };
}

/** A file row; a dangling id (no record) is shown as such rather than hidden. */
function presentFile(id: string, file: FileCard | undefined) {
  if (!file) return { id, missing: true, fileName: '(no file record)' };
  const video = file.streams.video[0];
  return {
    id,
    missing: false,
    fileName: file.fileName,
    size: formatBytes(file.size),
    duration: formatDuration(file.duration),
    video: video ? `${video.codec}${video.height ? ` ${video.height}p` : ''}` : '',
    storage: file.storage.kind,
  };
}
