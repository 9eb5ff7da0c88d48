import { type Request, type Response } from 'express';
import { SubsonicParams } from './subsonic-params.js';
import {
  errorPayload,
  renderSubsonic,
  SubsonicError,
  SubsonicErrorCode,
  type SubsonicFormat,
  type SubsonicObject,
} from './subsonic-response.js';

/** The endpoint named by the path: `/rest/getAlbum.view` and `/rest/getAlbum` alike. */
export function methodOf(path: string): string {
  return path.replace(/\.view$/, '');
}

export function paramsOf(req: Request): SubsonicParams {
  return SubsonicParams.from(req.query, req.method === 'POST' ? req.body : undefined);
}

export function formatOf(params: SubsonicParams): SubsonicFormat {
  const f = params.string('f');
  return f === 'json' || f === 'jsonp' ? f : 'xml';
}

/** Writes a payload (or a failure) in the client's format; Subsonic clients expect 200 either way. */
export function reply(res: Response, params: SubsonicParams, payload: SubsonicObject, failed = false): void {
  const { body, type } = renderSubsonic(
    formatOf(params),
    payload,
    failed ? 'failed' : 'ok',
    params.string('callback'),
  );
  res.status(200).setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** A failure as the client's format; an unexpected error is code 0 (it is logged by the caller). */
export function replyError(res: Response, params: SubsonicParams, error: unknown): void {
  const known =
    error instanceof SubsonicError
      ? error
      : new SubsonicError(SubsonicErrorCode.Generic, 'The server could not answer this request');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  reply(res, params, errorPayload(known), true);
}
