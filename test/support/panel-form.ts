import assert from 'node:assert/strict';
import { type TestClient } from './http.js';

/**
 * Posts an admin panel form as a browser would: opens `pagePath` for its CSRF token, then posts
 * `fields` with the session and CSRF cookies (a list is the name sent once per value, as a form with
 * several inputs of one name sends it). Redirects are not followed.
 */
export async function postPanelForm(
  baseUrl: string,
  client: TestClient,
  pagePath: string,
  action: string,
  fields: Record<string, string | string[]>,
) {
  const page = await client.get(pagePath);
  const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))?.[1];
  assert.ok(token, `${pagePath} carries a CSRF token`);
  const res = await fetch(`${baseUrl}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `sv_session=${client.cookie('sv_session')}; sv_csrf=${client.cookie('sv_csrf')}`,
    },
    body: new URLSearchParams([
      ['_csrf', token],
      ...Object.entries(fields).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]),
      ),
    ]),
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
