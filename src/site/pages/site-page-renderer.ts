import { Injectable } from '@nestjs/common';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { ViewRenderer } from '../../core/views/view-renderer.js';

/** Which header link is the current section. */
export type SiteSection = 'home' | 'browse' | 'account' | 'none';

export interface SitePage {
  /** `views/site/<view>.hbs`. */
  view: string;
  title: string;
  section?: SiteSection;
  /** This page's own script under `/assets/site/` (one small module per page, besides site.js). */
  script?: string;
  status?: number;
  /** The search box's current text. */
  query?: string;
  data?: Record<string, unknown>;
}

/**
 * Renders a viewer page inside the site layout: who is signed in (for the header), the current section,
 * the page's script. Pages are personal (progress, account), so nothing is cached by shared caches.
 */
@Injectable()
export class SitePageRenderer {
  constructor(private readonly views: ViewRenderer) {}

  send(req: IdentifiedRequest, res: Response, page: SitePage): void {
    const identity = req.identity?.kind === 'user' ? req.identity : undefined;
    const section = page.section ?? 'none';
    const html = this.views.render(
      `site/${page.view}`,
      {
        ...page.data,
        pageTitle: page.title,
        query: page.query,
        scripts: page.script ? [page.script] : [],
        user: identity ? { name: identity.name, role: identity.role } : undefined,
        isAdmin: identity?.role === 'admin',
        nav: { [section]: true },
      },
      'site',
    );
    res.setHeader('Cache-Control', 'private, no-cache');
    res
      .status(page.status ?? 200)
      .type('html')
      .send(html);
  }
}
