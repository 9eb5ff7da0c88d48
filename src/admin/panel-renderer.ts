import { Injectable } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest, type UserRole } from '../core/identity/identity.js';
import { ViewRenderer } from '../core/views/view-renderer.js';
import { CsrfTokens } from './security/csrf-tokens.js';

interface NavItem {
  href: string;
  label: string;
  roles: readonly UserRole[];
}

const NAV: readonly NavItem[] = [
  { href: '/admin', label: 'Dashboard', roles: ['admin', 'uploader'] },
  { href: '/admin/tasks', label: 'Tasks', roles: ['admin', 'uploader'] },
  { href: '/admin/library', label: 'Library', roles: ['admin'] },
  { href: '/admin/explorer', label: 'Explorer', roles: ['admin'] },
  { href: '/admin/logs', label: 'Logs', roles: ['admin'] },
  { href: '/admin/users', label: 'Users', roles: ['admin'] },
  { href: '/admin/settings', label: 'Settings', roles: ['admin'] },
  { href: '/admin/site', label: 'Site', roles: ['tenant-admin'] },
  { href: '/admin/ads', label: 'Ads', roles: ['admin', 'tenant-admin'] },
];

export interface PanelPage {
  /** `views/admin/<view>.hbs`. */
  view: string;
  title: string;
  /** Browser scripts from `/assets/` this page needs besides the common one. */
  scripts?: string[];
  status?: number;
  data?: Record<string, unknown>;
}

/** Renders a panel page in the admin layout: navigation for the user's role, CSRF token, no caching. */
@Injectable()
export class PanelRenderer {
  constructor(
    private readonly views: ViewRenderer,
    private readonly csrf: CsrfTokens,
  ) {}

  send(req: Request & IdentifiedRequest, res: Response, page: PanelPage): void {
    const identity = req.identity?.kind === 'user' ? req.identity : undefined;
    const section = req.path === '/admin' ? '/admin' : `/admin/${req.path.split('/')[2] ?? ''}`;
    const nav = identity?.role
      ? NAV.filter((item) => item.roles.includes(identity.role!)).map((item) => ({
          ...item,
          current: item.href === section,
        }))
      : [];
    const flash = typeof req.query.flash === 'string' ? req.query.flash.slice(0, 300) : undefined;
    const html = this.views.render(
      `admin/${page.view}`,
      {
        ...page.data,
        title: page.title,
        scripts: ['admin/panel.js', ...(page.scripts ?? [])],
        csrf: this.csrf.issue(req, res),
        user: identity ? { name: identity.name, role: identity.role } : undefined,
        nav,
        flash,
      },
      'admin',
    );
    res.setHeader('Cache-Control', 'private, no-store');
    res
      .status(page.status ?? 200)
      .type('html')
      .send(html);
  }
}

/**
 * A redirect after a successful form post, with a short message for the next page. Messages quote
 * what was typed, cut to a length: half an emoji (a lone surrogate) would make encodeURIComponent
 * throw, so such halves become U+FFFD.
 */
export function redirectWithFlash(res: Response, path: string, flash: string): void {
  const separator = path.includes('?') ? '&' : '?';
  res.redirect(303, `${path}${separator}flash=${encodeURIComponent(flash.toWellFormed())}`);
}
