import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { postPanelForm } from '../support/panel-form.js';

const TMDB_KEY = 'tmdb-key-that-must-never-show-0123456789';
const STREAM_SECRET = 'stream-secret-that-must-never-show-0123456789';

describe('admin settings: run-time overrides of env defaults', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let uploader: TestClient;
  let submitted = 0;
  const submit = () =>
    uploader.post('/api/ingest', { url: `http://127.0.0.1:9/Settings.Test.${++submitted}.mkv` });

  before(async () => {
    db = await startTestDatabase();
    // Manager only: no worker runs, so every accepted task stays active.
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      INGEST_ALLOW_HOSTS: '127.0.0.1:9',
      INGEST_MAX_ACTIVE_PER_USER: '1',
      TMDB_API_KEY: TMDB_KEY,
      STREAM_SECRET,
    });
    admin = await signInAdmin(server);
    uploader = await signInNewUser(server, 'uploader1', 'uploader');
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('raising the active-tasks limit in settings changes what POST /api/ingest accepts', async () => {
    assert.equal((await submit()).status, 202);
    const refused = await submit();
    assert.equal(refused.status, 429, 'the env default allows one active task');
    assert.match(String(refused.body.message), /already have 1 tasks running/);

    const saved = await postPanelForm(server.url, admin, '/admin/settings', '/admin/settings', {
      maxActivePerUser: '2',
    });
    assert.equal(saved.status, 303, saved.html);
    assert.match(String(saved.location), /^\/admin\/settings\?flash=Settings%20saved/);

    assert.equal((await submit()).status, 202, 'a second active task is now allowed');
    const third = await submit();
    assert.equal(third.status, 429);
    assert.match(String(third.body.message), /already have 2 tasks running/);

    const page = String((await admin.get('/admin/settings')).body);
    assert.match(page, /<td data-setting="maxActivePerUser">2 tasks <small>\(override\)<\/small><\/td>/);
  });

  it('an empty field goes back to the env default', async () => {
    const saved = await postPanelForm(server.url, admin, '/admin/settings', '/admin/settings', {
      maxActivePerUser: '',
    });
    assert.equal(saved.status, 303);
    const refused = await submit();
    assert.equal(refused.status, 429);
    assert.match(String(refused.body.message), /already have 1 tasks running/);
  });

  it('refuses invalid values with a message beside each field and saves nothing', async () => {
    const res = await postPanelForm(server.url, admin, '/admin/settings', '/admin/settings', {
      maxActivePerUser: '0',
      signedUrlTtlSeconds: 'soon',
      statusIntervalSeconds: '10',
    });
    assert.equal(res.status, 400);
    assert.match(res.html, /Nothing was saved/);
    assert.match(res.html, /Active tasks per user must be at least 1\./);
    assert.match(res.html, /Signed-link lifetime must be a whole number of seconds\./);
    assert.match(res.html, /value="soon"/, 'the admin’s input is shown again');
    const page = String((await admin.get('/admin/settings')).body);
    assert.match(
      page,
      /<td data-setting="statusIntervalSeconds">6 seconds<\/td>/,
      'valid fields were not saved either',
    );

    const unknown = await postPanelForm(server.url, admin, '/admin/settings', '/admin/settings', {
      secretKey: 'x',
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.html, /Unknown fields: secretKey\./);
  });

  it('shows which secrets are configured, never their values', async () => {
    const page = await admin.get('/admin/settings');
    assert.equal(page.status, 200);
    const html = String(page.body);
    assert.match(html, /<td><code>TMDB_API_KEY<\/code><\/td><td>[^<]*<\/td><td>present<\/td>/);
    assert.match(html, /<td><code>STREAM_SECRET<\/code><\/td><td>[^<]*<\/td><td>present<\/td>/);
    assert.match(html, /<td><code>TELEGRAM_BOT_TOKEN<\/code><\/td><td>[^<]*<\/td><td>absent<\/td>/);
    for (const secret of [TMDB_KEY, STREAM_SECRET, 'admin-password-for-tests', server.config.secretKey]) {
      assert.ok(!html.includes(secret), 'a secret value appears in the page');
    }
  });

  it('is for admins only', async () => {
    const res = await uploader.get('/admin/settings');
    assert.equal(res.status, 303);
    assert.match(
      String(res.headers.get('location')),
      /^\/admin\/login\?next=%2Fadmin%2Fsettings&reason=role/,
    );
  });
});
