import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { findViewsDir } from './views-dir.js';

/**
 * Server-rendered pages: `views/<page>.hbs` inside a layout (`views/layouts/main.hbs` unless told).
 * Handlebars escapes every `{{value}}`; templates never use triple-stash for data. Partials are the
 * files of `views/partials/` (`{{> name}}` for `name.hbs`).
 */
@Injectable()
export class ViewRenderer {
  private readonly dir = findViewsDir();
  private readonly engine = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  constructor() {
    const partials = join(this.dir, 'partials');
    if (!existsSync(partials)) return;
    for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
      this.engine.registerPartial(file.slice(0, -4), readFileSync(join(partials, file), 'utf8'));
    }
  }

  render(page: string, data: Record<string, unknown>, layout = 'main'): string {
    const body = this.template(page)(data);
    return this.template(`layouts/${layout}`)({ ...data, body: new Handlebars.SafeString(body) });
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
