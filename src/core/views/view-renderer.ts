import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type Handlebars from 'handlebars';
import { siteBrand } from '../tenancy/site-brand.js';
import { TenantContext } from '../tenancy/tenant-context.js';
import { findViewsDir } from './views-dir.js';

const require = createRequire(import.meta.url);

/**
 * Server-rendered pages: `views/<page>.hbs` inside a layout (`views/layouts/main.hbs` unless told).
 * Handlebars escapes every `{{value}}`; templates never use triple-stash for data. Partials are the
 * files of `views/partials/` (`{{> name}}` for `name.hbs`). Handlebars itself is loaded (synchronously:
 * it is CommonJS) on the first render, so a streamer that never renders a page never loads it.
 */
@Injectable()
export class ViewRenderer {
  private readonly dir = findViewsDir();
  private loaded?: typeof Handlebars;
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  render(page: string, data: Record<string, unknown>, layout = 'main'): string {
    // The viewer site's pages carry the current site's (franchise tenant's) name and branding.
    if (layout === 'site' && data.site === undefined) data = { ...data, site: siteBrand(TenantContext.current()) };
    const body = this.template(page)(data);
    return this.template(`layouts/${layout}`)({ ...data, body: new this.engine.SafeString(body) });
  }

  private get engine(): typeof Handlebars {
    if (this.loaded) return this.loaded;
    const engine = (require('handlebars') as typeof Handlebars).create();
    const partials = join(this.dir, 'partials');
    if (existsSync(partials)) {
      for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
        engine.registerPartial(file.slice(0, -4), readFileSync(join(partials, file), 'utf8'));
      }
    }
    return (this.loaded = engine);
  }

  private template(name: string): Handlebars.TemplateDelegate {
    let template = this.cache.get(name);
    if (!template) {
      template = this.engine.compile(readFileSync(join(this.dir, `${name}.hbs`), 'utf8'), { strict: false });
      this.cache.set(name, template);
    }
    return template;
  }
}
