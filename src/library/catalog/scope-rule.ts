import { type TenantScope } from '../../core/tenancy/tenant.js';
import { type Title } from '../schemas/title.schema.js';
import { genreKey } from './catalog-query.js';

/** What the scope rule looks at: an item's id, kind and genres (a title, a music album). */
export interface ScopeSubject {
  id: string;
  kind: string;
  genres?: readonly string[];
}

/** A library title as the scope rule sees it (as the catalog index files it): its id, kind and genres. */
export function titleSubject(title: Pick<Title, '_id' | 'kind' | 'genres'>): ScopeSubject {
  return { id: String(title._id), kind: title.kind, genres: title.genres };
}

/**
 * The facets a filtered scope admits, named as the catalog index names its facet sets (`kind:movie`,
 * `genre:sci-fi`): the index's scope set is the union of these sets plus the collection.
 */
export function scopeFacets(scope: Pick<TenantScope, 'kinds' | 'genres'>): string[] {
  return [...scope.kinds.map((kind) => `kind:${kind}`), ...scope.genres.map((g) => `genre:${genreKey(g)}`)];
}

/** The facets an item is filed under, named the same way. */
export function subjectFacets(subject: ScopeSubject): string[] {
  return [`kind:${subject.kind}`, ...(subject.genres ?? []).map((g) => `genre:${genreKey(g)}`)];
}

/** Rules made so far, per scope object (a tenant record's; an edited tenant comes with a new one). */
const rules = new WeakMap<TenantScope, (subject: ScopeSubject) => boolean>();

/**
 * The one rule of what a franchise tenant shows: everything (mode `all`), or an item of a listed kind,
 * of a listed genre, or picked by hand (its id in the collection). The catalog index keeps it as a set
 * per scope (titles); catalogs kept in memory (music) ask this predicate, made once per scope object
 * (a cover or track check asks it per request).
 */
export function scopeRule(scope: TenantScope): (subject: ScopeSubject) => boolean {
  let rule = rules.get(scope);
  if (!rule) rules.set(scope, (rule = buildRule(scope)));
  return rule;
}

function buildRule(scope: TenantScope): (subject: ScopeSubject) => boolean {
  if (scope.mode !== 'filtered') return () => true;
  const facets = new Set(scopeFacets(scope));
  const picked = new Set(scope.collections);
  return (subject) => picked.has(subject.id) || subjectFacets(subject).some((facet) => facets.has(facet));
}
