import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { type ScopeSubject, scopeRule } from '../../library/catalog/scope-rule.js';
import { type MusicAlbum } from './music.schema.js';

/**
 * An album as the scope rule sees it: kind `album`, its genres (the union of its tracks'), its id.
 * Its tracks, artist credits and cover are in scope with it.
 */
export function albumSubject(album: Pick<MusicAlbum, '_id' | 'genres'>): ScopeSubject {
  return { id: album._id, kind: 'album', genres: album.genres };
}

/** Whether the current site shows this album (always on a site that shows everything). */
export function albumInScope(album: Pick<MusicAlbum, '_id' | 'genres'> | null | undefined): boolean {
  const scope = TenantContext.current().scope;
  if (scope.mode !== 'filtered') return true;
  return album !== null && album !== undefined && scopeRule(scope)(albumSubject(album));
}
