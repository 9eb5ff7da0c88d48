import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Page } from 'playwright-core';
import { screenshotBothSizes } from './browser.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What the viewer-site browser suites check on every page they visit: screenshots at both sizes with
 * the phone's horizontal overflow, axe-core's serious/critical findings, CSP violations reported on
 * the console and any request to another origin than `origin`.
 */
export class PageAudit {
  private readonly overflows: Record<string, number> = {};
  private readonly axeFindings: Record<string, string[]> = {};
  private readonly cspViolations: string[] = [];
  private readonly foreignRequests: string[] = [];

  constructor(
    private readonly page: Page,
    private readonly origin: string,
    private readonly screenshotDir: string,
  ) {
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) this.cspViolations.push(message.text());
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (/^https?:$/.test(url.protocol) && url.origin !== this.origin)
        this.foreignRequests.push(request.url());
    });
  }

  /** Screenshots the page as it is now (both sizes) and runs axe-core on it. */
  async check(name: string): Promise<void> {
    this.overflows[name] = await screenshotBothSizes(this.page, name, this.screenshotDir);
    await this.page.evaluate(AXE_SOURCE);
    this.axeFindings[name] = await this.page.evaluate<string[]>(`
      axe.run(document, { resultTypes: ['violations'] }).then((result) =>
        result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
  }

  /** Fails on any page checked wider than the phone, any finding, CSP violation or foreign request. */
  assertClean(): void {
    assert.deepEqual(
      Object.entries(this.overflows).filter(([, overflow]) => overflow > 0),
      [],
      'pages wider than a 390 px phone',
    );
    assert.deepEqual(
      Object.entries(this.axeFindings).filter(([, findings]) => findings.length > 0),
      [],
      'axe-core serious/critical findings',
    );
    assert.deepEqual(this.cspViolations, []);
    assert.deepEqual(this.foreignRequests, []);
  }
}
