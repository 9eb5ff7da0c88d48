import { type MediaFile } from './schemas/media-file.schema.js';
import { type Title } from './schemas/title.schema.js';

/** API shape of a title: ids as strings, internal bookkeeping (tokens, revision) left out. */
export function presentTitle(title: Title) {
  return {
    id: String(title._id),
    kind: title.kind,
    name: title.name,
    originalName: title.originalName ?? null,
    aliases: title.aliases,
    year: title.year ?? null,
    overview: title.overview ?? null,
    genres: title.genres,
    externalIds: title.externalIds ?? {},
    poster: title.poster ?? null,
    backdrop: title.backdrop ?? null,
    seasons: title.seasons.map((season) => ({
      number: season.number,
      episodes: season.episodes.map((episode) => ({
        number: episode.number,
        name: episode.name ?? null,
        fileIds: episode.fileIds.map(String),
      })),
    })),
    fileIds: title.fileIds.map(String),
    lockedFields: title.lockedFields,
    mismatches: title.mismatches.map((m) => ({ ...m, fileId: String(m.fileId) })),
    createdAt: title.createdAt,
    updatedAt: title.updatedAt,
  };
}

export function presentFile(file: MediaFile) {
  return {
    id: String(file._id),
    fileName: file.fileName,
    size: file.size,
    mime: file.mime,
    duration: file.duration ?? null,
    storage: { kind: file.storage.kind, parts: file.storage.parts.length },
    streams: file.streams,
    subtitleTracks: file.streams.subtitles.map((track) => ({
      index: track.index,
      codec: track.codec,
      language: track.language ?? null,
      title: track.title ?? null,
      forced: track.forced ?? false,
      textBased: !track.bitmap,
      external: Boolean(track.external),
    })),
    checksum: file.checksum ?? null,
    screenshots: file.screenshots.length,
    hasSample: Boolean(file.sample),
    titleId: file.titleId ? String(file.titleId) : null,
    season: file.season ?? null,
    episodes: file.episodes,
    createdAt: file.createdAt,
  };
}
