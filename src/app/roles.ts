/**
 * The role table: which feature modules each process role runs. Plain data, so adding a module to a
 * role is a one-line change here and nowhere else.
 */
export enum Role {
  Manager = 'manager',
  Worker = 'worker',
  Streamer = 'streamer',
}

export enum FeatureModule {
  Auth = 'auth',
  Library = 'library',
  Ingest = 'ingest',
  Stream = 'stream',
  Site = 'site',
  Bot = 'bot',
  Admin = 'admin',
  ReadVault = 'readvault',
  Music = 'music',
  Franchise = 'franchise',
}

export const ROLE_MODULES: Readonly<Record<Role, readonly FeatureModule[]>> = {
  [Role.Manager]: [
    FeatureModule.Auth,
    FeatureModule.Library,
    FeatureModule.Admin,
    FeatureModule.Bot,
    FeatureModule.Ingest,
    FeatureModule.Site,
    FeatureModule.Franchise,
    FeatureModule.ReadVault,
    FeatureModule.Music,
  ],
  [Role.Worker]: [FeatureModule.Ingest, FeatureModule.Library, FeatureModule.ReadVault, FeatureModule.Music],
  [Role.Streamer]: [
    FeatureModule.Stream,
    FeatureModule.Auth,
    FeatureModule.Library,
    FeatureModule.ReadVault,
    FeatureModule.Music,
  ],
};

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** Canonical module order, so /healthz lists the same role's modules identically on every boot. */
const MODULE_ORDER: readonly FeatureModule[] = Object.values(FeatureModule);

export class RoleParseError extends Error {}

/** Parses `ROLE`: one role, a comma list, or `all`. Order and duplicates do not matter. */
export function parseRoles(value: string | undefined): readonly Role[] {
  const raw = (value ?? 'all').trim().toLowerCase();
  if (raw === '' || raw === 'all') return ALL_ROLES;
  const wanted = new Set<Role>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (!ALL_ROLES.includes(part as Role)) {
      throw new RoleParseError(
        `ROLE: unknown role "${part}"; valid roles are ${ALL_ROLES.join(', ')} (comma list) or all`,
      );
    }
    wanted.add(part as Role);
  }
  return ALL_ROLES.filter((role) => wanted.has(role));
}

/** The feature modules a set of roles runs, deduplicated, in canonical order. */
export function modulesForRoles(roles: readonly Role[]): readonly FeatureModule[] {
  const wanted = new Set(roles.flatMap((role) => ROLE_MODULES[role]));
  return MODULE_ORDER.filter((name) => wanted.has(name));
}

/** How a role set names itself in logs and /healthz: `all`, or the canonical comma list. */
export function describeRoles(roles: readonly Role[]): string {
  return roles.length === ALL_ROLES.length ? 'all' : roles.join(',');
}
