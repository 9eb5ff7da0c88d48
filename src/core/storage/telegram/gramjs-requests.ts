import bigInt from 'big-integer';
import { Api } from 'telegram';
import { type FileLocation } from './telegram-gateway.js';

/** The `upload.GetFile` request for one block: exact offset/limit, no CDN, not "precise" (1 MiB rules). */
export function buildGetFileRequest(
  location: FileLocation,
  offset: number,
  limit: number,
): Api.upload.GetFile {
  return new Api.upload.GetFile({
    location: new Api.InputDocumentFileLocation({
      id: bigInt(location.id),
      accessHash: bigInt(location.accessHash),
      fileReference: Buffer.from(location.fileReference, 'base64'),
      thumbSize: '',
    }),
    offset: bigInt(offset),
    limit,
    precise: false,
    cdnSupported: false,
  });
}

/** Our plain-data location from a message's document. */
export function locationOf(document: Api.Document): FileLocation {
  return {
    dcId: document.dcId,
    id: document.id.toString(),
    accessHash: document.accessHash.toString(),
    fileReference: Buffer.from(document.fileReference).toString('base64'),
    size: Number(document.size.toString()),
  };
}
