import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';

/** The `views/` folder: found by walking up from this file (works from src/, dist/ and .build/). */
function findViewsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'views', 'layouts')) && existsSync(join(dir, 'package.json'))) return join(dir, 'views');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('views/ folder not found next to package.json');
    dir = parent;
  }
}

/**
 * Server-rendered pages: `views/<page>.hbs` inside `views/layouts/main.hbs`. Handlebars escapes every
 * `{{value}}`; templates never use triple-stash for data.
 */
@Injectable()
export class ViewRenderer {
  private readonly dir = findViewsDir();
  private readonly engine = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  render(page: string, data: Record<string, unknown>): string {
    const body = this.template(page)(data);
    return this.template('layouts/main')({ ...data, body: new Handlebars.SafeString(body) });
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
