import { type NextFunction, type Request, type Response } from 'express';

/**
 * What Stremio requires of every add-on answer (errors included): readable from any origin (Stremio
 * Web, the apps' web views). Preflights are answered here. The answers hold the user's signed links,
 * so shared caches keep none of them.
 */
export function stremioCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-headers', '*');
  res.setHeader('access-control-allow-methods', 'GET, OPTIONS');
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  res.setHeader('cache-control', 'private, no-cache');
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
}
