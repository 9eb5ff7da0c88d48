import { type Request } from 'express';
import { AppError } from '../../core/errors/app-error.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { type StreamService } from '../stream.service.js';

/**
 * Who may fetch a media path: anyone holding a valid signed link for exactly this path, or a signed-in
 * user (or, with `guests`, any identified visitor; with `sessions: false`, nobody: the link alone). A
 * request carrying signature parameters is always judged by them, so a bad or expired link says so
 * (403/410) rather than falling back.
 */
export function assertLinkAccess(
  req: Request & IdentifiedRequest,
  streams: StreamService,
  { guests = false, sessions = true }: { guests?: boolean; sessions?: boolean } = {},
): void {
  const signed = req.query.md5 !== undefined || req.query.expires !== undefined || req.query.t !== undefined;
  const identified = sessions && (req.identity?.kind === 'user' || (guests && req.identity !== undefined));
  if (!signed && identified) return;
  streams.assertSigned(
    decodedPath(req),
    stringParam(req.query.md5),
    stringParam(req.query.expires),
    stringParam(req.query.t),
  );
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The path as nginx's `$uri` sees it (percent-decoded), which is what links sign. */
function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    throw new AppError(400, 'bad_request', 'The request path is not valid percent-encoding.');
  }
}
