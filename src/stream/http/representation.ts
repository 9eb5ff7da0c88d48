import { createHash } from 'node:crypto';
import { type MediaFile, type StoragePart } from '../../library/schemas/media-file.schema.js';

/** What a file's responses say about it, worked out once per record (the record cache reuses one object). */
export interface Representation {
  etag: string;
  /** Absent for what has no date of its own (a still): then the ETag is the only validator. */
  lastModified?: Date;
  lastModifiedHttp?: string;
  contentType: string;
  disposition: string;
}

const representations = new WeakMap<MediaFile, Representation>();

/** The representation headers of `file`, memoised per record object: a player's seeks reuse them. */
export function representationOf(file: MediaFile): Representation {
  let known = representations.get(file);
  if (!known) {
    const lastModified = lastModifiedOf(file);
    known = {
      etag: etagOf(file),
      lastModified,
      lastModifiedHttp: lastModified.toUTCString(),
      contentType: file.mime || 'application/octet-stream',
      disposition: contentDisposition(file.fileName),
    };
    representations.set(file, known);
  }
  return known;
}

/**
 * One stored part of a file served on its own (a still): making the stills again stores new objects,
 * the same size or not, so its ETag comes from the part's own ref, not from the file's. It has no
 * date of its own (the file's birth would call a new still unmodified), so no Last-Modified.
 */
export function partRepresentation(file: MediaFile, part: StoragePart): Representation {
  const version = createHash('sha256').update(part.ref).digest('base64url').slice(0, 16);
  return {
    etag: `"${String(file._id)}-${part.size.toString(36)}-${version}"`,
    contentType: file.mime || 'application/octet-stream',
    disposition: contentDisposition(file.fileName),
  };
}

/** Strong ETag, stable for the stored bytes of one file (its id, size and content hash or birth). */
export function etagOf(file: MediaFile): string {
  const version = file.checksum?.sha256?.slice(0, 16) ?? new Date(file.createdAt).getTime().toString(36);
  return `"${String(file._id)}-${file.size.toString(36)}-${version}"`;
}

/** HTTP dates have one-second resolution; compare at that resolution. */
export function lastModifiedOf(file: MediaFile): Date {
  return new Date(Math.floor(new Date(file.createdAt).getTime() / 1000) * 1000);
}

/** `inline` with an ASCII fallback and the exact name in RFC 5987 `filename*`. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** `If-None-Match`: `*` or any listed tag equal to ours (weak comparison, as RFC 9110 asks here). */
export function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/** `If-Range`: the range applies only if the validator still names these exact bytes (strong match). */
export function ifRangeHolds(header: string, etag: string, lastModified: Date | undefined): boolean {
  const value = header.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/') || !lastModified) return false;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === lastModified.getTime();
}

/** `If-Modified-Since`: true when the file has not changed since the given date. */
export function notModifiedSince(header: string, lastModified: Date): boolean {
  const date = Date.parse(header);
  return !Number.isNaN(date) && lastModified.getTime() <= date;
}
