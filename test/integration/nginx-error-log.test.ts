import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../scripts/lib/net.mjs';
import { startNginx } from '../support/nginx.js';

/** An app password as the app makes them: `svp_` + the owner's id + 43 base64url characters. */
const PASSWORD = `svp_${'a1'.repeat(12)}${'Zq9-_'.repeat(8)}xyz`;

describe("nginx's error log never quotes an app password", () => {
  let nginx: Awaited<ReturnType<typeof startNginx>>;

  before(async () => {
    // Both roles on a port nothing listens on: every proxied request is an upstream error.
    const down = `127.0.0.1:${await freePort()}`;
    nginx = await startNginx(down, 'error-log-test-secret', down);
  });
  after(async () => {
    await nginx?.stop();
  });

  it('answers 502 for the Stremio add-on and Subsonic calls (plain or hex password), logging their failure only redacted', async () => {
    for (const path of [
      `/stremio/${PASSWORD}/manifest.json`,
      `/rest/ping.view?u=ann&p=${PASSWORD}&v=1.16.1&c=test`,
      `/rest/stream?u=ann&p=${PASSWORD}&id=tr-1`,
      `/rest/getCoverArt.view?u=ann&p=${PASSWORD}&id=al-1`,
      `/rest/ping.view?u=ann&p=enc:${Buffer.from(PASSWORD).toString('hex')}&c=old-client`,
    ]) {
      const res = await fetch(`${nginx.url}${path}`);
      assert.equal(res.status, 502, path);
      await res.arrayBuffer();
    }
    const access = nginx.accessLog();
    assert.equal((access.match(/svp_\[redacted\]\S* HTTP\/1\.1" 502/g) ?? []).length, 4, access);
    assert.match(access, /p=enc:\[redacted\]&c=old-client HTTP\/1\.1" 502/);
    assert.ok(!access.includes(PASSWORD) && !access.includes('7376705f'), access);
    const errors = nginx.errorLog();
    assert.ok(!errors.includes('svp_') && !errors.includes('7376705f'), errors);
  });

  it('still logs an upstream failure where the URL holds no secret, so the operator sees it', async () => {
    const res = await fetch(`${nginx.url}/api/library/titles?page=2`);
    assert.equal(res.status, 502);
    await res.arrayBuffer();
    assert.match(
      nginx.errorLog(),
      /connect\(\) failed .*request: "GET \/api\/library\/titles\?page=2 HTTP\/1\.1"/,
    );
  });
});
