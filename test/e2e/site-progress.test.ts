import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { LibraryService } from '../../src/library/library.service.js';
import { PROFILE_FILES_KEPT, PROFILE_TITLES_KEPT } from '../../src/site/progress/profile-limits.js';
import { ProgressRepository } from '../../src/site/progress/progress.repository.js';
import { ADOPTED_GUEST_GRACE_MS, ProgressService } from '../../src/site/progress/progress.service.js';
import { GuestProgressSweeper } from '../../src/site/progress/guest-progress.sweeper.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { createMediaFile } from '../support/library-fixtures.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';

const fileIds = (body: unknown) => (body as { fileId: string }[]).map((item) => item.fileId);

/** A browser that has visited the site once, so it holds a guest identity. */
async function newGuest(server: InProcessApp): Promise<TestClient> {
  const guest = new TestClient(server.url);
  await guest.get('/api/titles');
  assert.ok(guest.cookie('sv_session'), 'the first visit gives a guest cookie');
  return guest;
}

describe('watch progress per identity', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let series: Types.ObjectId;
  let movie: Types.ObjectId;
  const episodes: Types.ObjectId[] = [];
  let movieFile: Types.ObjectId;
  let looseFile: Types.ObjectId;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const library = server.app.get(LibraryService);
    series = (await library.upsertSkeleton({ kind: 'series', name: 'Progress Show', year: 2020 }))._id;
    for (const number of [1, 2, 3]) {
      const fileId = await createMediaFile(server.app, `show.s01e0${number}.mkv`);
      await library.attachFile(series, fileId, { season: 1, episodes: [number] });
      episodes.push(fileId);
    }
    movie = (await library.upsertSkeleton({ kind: 'movie', name: 'Progress Film', year: 2021 }))._id;
    movieFile = await createMediaFile(server.app, 'film.mkv');
    await library.attachFile(movie, movieFile);
    looseFile = await createMediaFile(server.app, 'loose.mkv');
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('saves and returns a resume position for a guest', async () => {
    const guest = await newGuest(server);
    const saved = await guest.request('PUT', `/api/progress/${episodes[0]}`, {
      json: { position: 61.5, duration: 1400 },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const read = await guest.get(`/api/progress/${episodes[0]}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.position, 61.5);
    assert.equal(read.body.duration, 1400);
    assert.equal(read.body.finished, false);
    assert.equal(read.body.titleId, String(series));
  });

  it('a file never played reads as position 0; another identity does not see mine', async () => {
    const one = await newGuest(server);
    const other = await newGuest(server);
    await one.request('PUT', `/api/progress/${movieFile}`, { json: { position: 300, duration: 6000 } });
    const theirs = await other.get(`/api/progress/${movieFile}`);
    assert.equal(theirs.status, 200);
    assert.equal(theirs.body.position, 0);
    assert.equal(theirs.body.updatedAt, null);
  });

  it('continue watching: newest first, one entry per title, with title and episode', async () => {
    const guest = await newGuest(server);
    await guest.request('PUT', `/api/progress/${episodes[0]}`, { json: { position: 100, duration: 1400 } });
    await guest.request('PUT', `/api/progress/${movieFile}`, { json: { position: 200, duration: 6000 } });
    await guest.request('PUT', `/api/progress/${episodes[1]}`, { json: { position: 50, duration: 1400 } });
    const list = await guest.get('/api/progress/continue?limit=5');
    assert.equal(list.status, 200);
    assert.deepEqual(fileIds(list.body), [String(episodes[1]), String(movieFile)]);
    const [first] = list.body as {
      title: { name: string };
      season: number;
      episode: number;
      position: number;
    }[];
    assert.deepEqual(
      [first.title.name, first.season, first.episode, first.position],
      ['Progress Show', 1, 2, 50],
    );
    assert.equal((await guest.get('/api/progress/continue?limit=1')).body.length, 1);
  });

  it('at 90 % a file is watched: it leaves continue watching and its episode is marked', async () => {
    const guest = await newGuest(server);
    await guest.request('PUT', `/api/progress/${episodes[2]}`, { json: { position: 1259, duration: 1400 } });
    let marks = await guest.get(`/api/progress/title/${series}`);
    assert.deepEqual(marks.body.watchedFileIds, []);
    const done = await guest.request('PUT', `/api/progress/${episodes[2]}`, {
      json: { position: 1260, duration: 1400 },
    });
    assert.equal(done.body.finished, true);
    assert.deepEqual((await guest.get('/api/progress/continue')).body, []);
    marks = await guest.get(`/api/progress/title/${series}`);
    assert.deepEqual(marks.body.watchedFileIds, [String(episodes[2])]);
    assert.deepEqual(
      (marks.body.episodes as { episode: number; watched: boolean }[]).map(
        (e: { episode: number; watched: boolean }) => [e.episode, e.watched],
      ),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
  });

  it('remembers the audio and subtitle choice per title, across its episodes', async () => {
    const guest = await newGuest(server);
    await guest.request('PUT', `/api/progress/${episodes[0]}`, {
      json: { position: 10, duration: 1400, audioTrack: 'jpn', subtitleTrack: 'eng' },
    });
    await guest.request('PUT', `/api/progress/${episodes[1]}`, { json: { position: 10, duration: 1400 } });
    let title = await guest.get(`/api/progress/title/${series}`);
    assert.deepEqual([title.body.audioTrack, title.body.subtitleTrack], ['jpn', 'eng']);
    await guest.request('PUT', `/api/progress/${episodes[1]}`, {
      json: { position: 20, duration: 1400, subtitleTrack: 'off' },
    });
    title = await guest.get(`/api/progress/title/${series}`);
    assert.deepEqual([title.body.audioTrack, title.body.subtitleTrack], ['jpn', 'off']);
    assert.deepEqual(
      (title.body.files as { fileId: string; position: number }[])
        .map((f: { fileId: string; position: number }) => [f.fileId, f.position])
        .sort(),
      [
        [String(episodes[0]), 10],
        [String(episodes[1]), 20],
      ].sort(),
    );
    const film = await guest.get(`/api/progress/title/${movie}`);
    assert.deepEqual([film.body.audioTrack, film.body.subtitleTrack], [null, null]);
  });

  it('saves sent at once (two tabs, a pause then a leave) leave the resume point and the continue row agreeing on the last', async () => {
    const guest = await newGuest(server);
    const saves = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        guest.request('PUT', `/api/progress/${movieFile}`, { json: { position: 100 + i, duration: 6000 } }),
      ),
    );
    assert.deepEqual(new Set(saves.map((save) => save.status)), new Set([200]));
    const resume = (await guest.get(`/api/progress/${movieFile}`)).body;
    const row = ((await guest.get('/api/progress/continue')).body as { fileId: string }[]).find(
      (item) => item.fileId === String(movieFile),
    ) as { position: number; updatedAt: string } | undefined;
    assert.ok(row, 'the film is in the continue row');
    assert.equal(row.position, resume.position);
    assert.equal(row.updatedAt, resume.updatedAt);
    const newest = saves.reduce((a, b) => (String(a.body.updatedAt) >= String(b.body.updatedAt) ? a : b));
    assert.equal(resume.position, newest.body.position, 'the save stamped last is the one kept');
  });

  it('continue watching leaves out what was deleted since: a title, an episode, a loose file', async () => {
    const library = server.app.get(LibraryService);
    const film = (await library.upsertSkeleton({ kind: 'movie', name: 'Gone Film', year: 2022 }))._id;
    const filmFile = await createMediaFile(server.app, 'gone.film.mkv');
    await library.attachFile(film, filmFile);
    const show = (await library.upsertSkeleton({ kind: 'series', name: 'Half Gone Show', year: 2022 }))._id;
    const [kept, dropped] = [
      await createMediaFile(server.app, 'half.s01e01.mkv'),
      await createMediaFile(server.app, 'half.s01e02.mkv'),
    ];
    await library.attachFile(show, kept, { season: 1, episodes: [1] });
    await library.attachFile(show, dropped, { season: 1, episodes: [2] });
    const loose = await createMediaFile(server.app, 'loose.gone.mkv');
    const guest = await newGuest(server);
    for (const fileId of [filmFile, kept, loose, dropped]) {
      const saved = await guest.request('PUT', `/api/progress/${fileId}`, {
        json: { position: 30, duration: 600 },
      });
      assert.equal(saved.status, 200);
    }
    const listed = async () => fileIds((await guest.get('/api/progress/continue')).body);
    // One entry per title (the show's latest episode), newest first; saved within a millisecond or two.
    assert.deepEqual((await listed()).sort(), [String(loose), String(dropped), String(filmFile)].sort());

    await library.deleteTitle(film);
    await library.deleteFile(show, dropped);
    await library.deleteDetachedFiles([loose], 'test');
    // The show's other episode, played before, comes back as its entry.
    await guest.request('PUT', `/api/progress/${kept}`, { json: { position: 40, duration: 600 } });
    assert.deepEqual(await listed(), [String(kept)]);
    // Its saved position is not served either: the file is gone.
    assert.equal((await guest.get(`/api/progress/${filmFile}`)).status, 404);
  });

  it("continue reading leaves out a chapter whose archive was deleted since (the series' stays)", async () => {
    const library = server.app.get(LibraryService);
    const series = (await library.upsertSkeleton({ kind: 'manga', name: 'Gone Chapter', year: 2022 }))._id;
    const archive = await createMediaFile(server.app, 'gone.chapter.cbz');
    const reader = {
      kind: 'guest' as const,
      id: `guest:${randomUUID()}`,
      name: 'guest',
      via: 'cookie' as const,
    };
    const progress = server.app.get(ProgressService);
    const chapter = {
      chapterId: 'ch-1',
      fileId: String(archive),
      titleId: String(series),
      pageCount: 20,
      label: 'Ch. 1',
    };
    await progress.saveReading(reader, { chapter, page: 3 });
    assert.deepEqual(
      (await progress.continueWatching(reader, 12)).map((item) => item.chapterId),
      ['ch-1'],
    );
    await library.deleteDetachedFiles([archive], 'test');
    assert.deepEqual(await progress.continueWatching(reader, 12), []);
  });

  it('a file outside any title still resumes', async () => {
    const guest = await newGuest(server);
    await guest.request('PUT', `/api/progress/${looseFile}`, { json: { position: 5, duration: 60 } });
    assert.equal((await guest.get(`/api/progress/${looseFile}`)).body.position, 5);
    const [entry] = (await guest.get('/api/progress/continue')).body as { fileId: string; title: unknown }[];
    assert.deepEqual([entry.fileId, entry.title], [String(looseFile), null]);
  });

  it("a guest's progress moves to the account at password sign-in", async () => {
    const browser = await newGuest(server);
    await browser.request('PUT', `/api/progress/${movieFile}`, {
      json: { position: 777, duration: 6000, audioTrack: 'fre' },
    });
    await browser.request('PUT', `/api/progress/${episodes[0]}`, {
      json: { position: 1300, duration: 1400 },
    });
    await signInNewUser(server, 'mover', 'viewer');
    await browser.login('mover', 'mover-password');
    assert.equal((await browser.get('/api/auth/me')).body.kind, 'user');
    assert.equal((await browser.get(`/api/progress/${movieFile}`)).body.position, 777);
    assert.deepEqual(fileIds((await browser.get('/api/progress/continue')).body), [String(movieFile)]);
    assert.equal((await browser.get(`/api/progress/title/${movie}`)).body.audioTrack, 'fre');
    assert.deepEqual((await browser.get(`/api/progress/title/${series}`)).body.watchedFileIds, [
      String(episodes[0]),
    ]);
    // The same account on another device sees it too.
    const phone = new TestClient(server.url);
    await phone.login('mover', 'mover-password');
    assert.equal((await phone.get(`/api/progress/${movieFile}`)).body.position, 777);
  });

  it('the newer position wins when guest and account both played a file', async () => {
    const account = await signInNewUser(server, 'merger', 'viewer');
    await account.request('PUT', `/api/progress/${movieFile}`, { json: { position: 100, duration: 6000 } });
    await account.request('PUT', `/api/progress/${episodes[0]}`, { json: { position: 400, duration: 1400 } });
    const browser = await newGuest(server);
    await browser.request('PUT', `/api/progress/${movieFile}`, { json: { position: 900, duration: 6000 } });
    await browser.login('merger', 'merger-password');
    assert.equal((await browser.get(`/api/progress/${movieFile}`)).body.position, 900);
    assert.equal((await browser.get(`/api/progress/${episodes[0]}`)).body.position, 400);
    assert.deepEqual(fileIds((await browser.get('/api/progress/continue')).body), [
      String(movieFile),
      String(episodes[0]),
    ]);
  });

  it("a save the account makes on another device while a guest's progress is adopted is not overwritten by the guest's older one", async () => {
    const service = server.app.get(ProgressService);
    const repository = server.app.get(ProgressRepository);
    const userId = String(new Types.ObjectId());
    const guestId = `guest:${randomUUID()}`;
    const account = { kind: 'user', id: userId, name: 'racer', via: 'cookie' } as const;
    await service.save({ kind: 'guest', id: guestId, name: 'guest', via: 'cookie' }, movieFile, {
      position: 500,
      duration: 6000,
    });
    // The account's phone saves a newer position just as adoption has read the account's (older) one.
    let phoneSave: Promise<unknown> | undefined;
    const findFile = repository.findFile.bind(repository);
    repository.findFile = async (identityId, itemKey) => {
      const found = await findFile(identityId, itemKey);
      if (identityId === userId && !phoneSave) {
        phoneSave = service.save(account, movieFile, { position: 2500, duration: 6000 });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      return found;
    };
    try {
      await service.adoptGuest(guestId, userId);
      await phoneSave;
    } finally {
      repository.findFile = findFile;
    }
    assert.equal((await service.get(account, movieFile)).position, 2500);
    assert.equal((await service.continueWatching(account, 10))[0]?.position, 2500);
  });

  it("a guest's save that waited on the lock while the guest signed in lands in the account, not on a new guest profile", async () => {
    const service = server.app.get(ProgressService);
    const repository = server.app.get(ProgressRepository);
    const mutex = server.app.get(RedisMutex);
    const userId = String(new Types.ObjectId());
    const guest = { kind: 'guest', id: `guest:${randomUUID()}`, name: 'guest', via: 'cookie' } as const;
    await service.save(guest, movieFile, { position: 500, duration: 6000 });

    // Adoption stops once it holds the guest's lock; the save is sent and asks for that lock; then
    // adoption goes on. The save can only have the lock after it.
    let adoptionHoldsLock!: () => void;
    const adoptionHolds = new Promise<void>((resolve) => (adoptionHoldsLock = resolve));
    let saveAsksLock!: () => void;
    const saveAsks = new Promise<void>((resolve) => (saveAsksLock = resolve));
    let resumeAdoption!: () => void;
    const adoptionMayGoOn = new Promise<void>((resolve) => (resumeAdoption = resolve));
    let adopting = false;
    const findProfile = repository.findProfile.bind(repository);
    const withLock = mutex.withLock.bind(mutex);
    repository.findProfile = async (identityId) => {
      if (identityId === guest.id && !adopting) {
        adopting = true;
        adoptionHoldsLock();
        await adoptionMayGoOn;
      }
      return findProfile(identityId);
    };
    mutex.withLock = (name, work, options) => {
      if (name === `progress:${guest.id}` && adopting) saveAsksLock();
      return withLock(name, work, options);
    };
    try {
      const adoption = service.adoptGuest(guest.id, userId);
      await adoptionHolds;
      const save = service.save(guest, movieFile, { position: 800, duration: 6000 });
      await saveAsks;
      resumeAdoption();
      await adoption;
      assert.equal((await save).position, 800);
    } finally {
      repository.findProfile = findProfile;
      mutex.withLock = withLock;
    }
    const account = { kind: 'user', id: userId, name: 'signed-in', via: 'cookie' } as const;
    assert.equal((await service.get(account, movieFile)).position, 800);
    assert.equal((await service.continueWatching(account, 10))[0]?.position, 800);
    assert.equal(await repository.findFile(guest.id, String(movieFile)), null, 'no guest record again');
    assert.deepEqual((await repository.findProfile(guest.id))?.files, []);
  });

  it('a guest that had saved nothing signs in: its first save, sent before, still lands in the account', async () => {
    const service = server.app.get(ProgressService);
    const userId = String(new Types.ObjectId());
    const guest = { kind: 'guest', id: `guest:${randomUUID()}`, name: 'guest', via: 'cookie' } as const;
    await service.adoptGuest(guest.id, userId);
    await service.save(guest, looseFile, { position: 33, duration: 600 });
    const account = { kind: 'user', id: userId, name: 'signed-in', via: 'cookie' } as const;
    assert.equal((await service.get(account, looseFile)).position, 33);
  });

  it('a guest cookie used for a save long after its guest signed in → 409 {error, message}', async () => {
    const repository = server.app.get(ProgressRepository);
    const browser = await newGuest(server);
    const guestId = String((await browser.get('/api/auth/me')).body.id);
    await repository.saveProfile({
      _id: guestId,
      guest: true,
      adoptedInto: String(new Types.ObjectId()),
      continue: [],
      titles: [],
      files: [],
      updatedAt: new Date(Date.now() - ADOPTED_GUEST_GRACE_MS - 60_000),
    });
    const res = await browser.request('PUT', `/api/progress/${looseFile}`, {
      json: { position: 5, duration: 60 },
    });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
    assert.deepEqual((await repository.findProfile(guestId))?.files, [], 'no guest profile made again');
  });

  it("a guest's progress moves to the account at magic-link sign-in", async () => {
    const admin = await signInAdmin(server);
    await signInNewUser(server, 'linked', 'viewer');
    const browser = await newGuest(server);
    await browser.request('PUT', `/api/progress/${movieFile}`, { json: { position: 1234, duration: 6000 } });
    const link = await admin.post('/api/auth/magic-link', { username: 'linked' });
    const landing = await browser.get(new URL(String(link.body.url)).pathname);
    assert.equal(landing.status, 303);
    assert.equal((await browser.get('/api/auth/me')).body.name, 'linked');
    assert.equal((await browser.get(`/api/progress/${movieFile}`)).body.position, 1234);
  });

  it('sweeps guests not seen for GUEST_PROGRESS_DAYS, and nobody else', async () => {
    const stale = await newGuest(server);
    await stale.request('PUT', `/api/progress/${looseFile}`, { json: { position: 42, duration: 60 } });
    const account = await signInNewUser(server, 'keeper', 'viewer');
    await account.request('PUT', `/api/progress/${looseFile}`, { json: { position: 43, duration: 60 } });
    const later = new Date(Date.now() + (server.config.site.guestProgressDays + 1) * 24 * 3600 * 1000);
    const removed = await server.app.get(GuestProgressSweeper).sweep(later);
    assert.ok(removed >= 1);
    assert.equal((await stale.get(`/api/progress/${looseFile}`)).body.position, 0);
    assert.deepEqual((await stale.get('/api/progress/continue')).body, []);
    assert.equal((await account.get(`/api/progress/${looseFile}`)).body.position, 43);
  });

  it('sweeps every abandoned guest a batch at a time, not just the first batch', async () => {
    const stale = await Promise.all(Array.from({ length: 5 }, () => newGuest(server)));
    for (const guest of stale) {
      await guest.request('PUT', `/api/progress/${looseFile}`, { json: { position: 42, duration: 60 } });
    }
    const later = new Date(Date.now() + (server.config.site.guestProgressDays + 1) * 24 * 3600 * 1000);
    const removed = await server.app.get(ProgressService).sweepGuests(later, 2);
    assert.ok(removed >= stale.length, `removed ${removed}`);
    for (const guest of stale) {
      assert.equal((await guest.get(`/api/progress/${looseFile}`)).body.position, 0);
    }
  });

  it('keeps a profile to its newest PROFILE_FILES_KEPT files and PROFILE_TITLES_KEPT titles, removing the oldest records (on FerretDB)', async () => {
    const repository = server.app.get(ProgressRepository);
    const viewer = {
      kind: 'guest' as const,
      id: `guest:${randomUUID()}`,
      name: 'guest',
      via: 'cookie' as const,
    };
    const old = new Date(Date.UTC(2025, 0, 1));
    // A profile already at both caps, its files played oldest first, each with its record.
    const seeded = Array.from({ length: PROFILE_FILES_KEPT }, () => String(new Types.ObjectId()));
    await server.app
      .get(MongoConnection)
      .connection.collection('progress')
      .insertMany(
        seeded.map((fileId) => ({
          _id: `${viewer.id}:${fileId}` as unknown as Types.ObjectId,
          identityId: viewer.id,
          fileId,
          position: 10,
          duration: 100,
          finished: false,
          updatedAt: old,
        })),
      );
    await repository.saveProfile({
      _id: viewer.id,
      guest: true,
      continue: [],
      titles: Array.from({ length: PROFILE_TITLES_KEPT }, (_, i) => ({
        titleId: `seeded-${i}`,
        watched: i === 1 ? [seeded[0], seeded[1]] : [],
        updatedAt: new Date(old.getTime() + i * 1000),
      })),
      files: seeded,
      updatedAt: old,
    });

    await server.app.get(ProgressService).save(viewer, episodes[2], { position: 100, duration: 100 });

    const profile = await repository.findProfile(viewer.id);
    assert.ok(profile);
    assert.equal(profile.files.length, PROFILE_FILES_KEPT);
    assert.equal(profile.files[0], seeded[1], 'the file played longest ago went');
    assert.equal(profile.files.at(-1), String(episodes[2]), 'the one played now is the newest');
    assert.equal(await repository.findFile(viewer.id, seeded[0]), null, 'its record went with it');
    assert.ok(await repository.findFile(viewer.id, seeded[1]), 'the next oldest stays');
    assert.equal(profile.titles.length, PROFILE_TITLES_KEPT);
    const titleIds = new Set(profile.titles.map((title) => title.titleId));
    assert.ok(!titleIds.has('seeded-0'), 'the title played longest ago went');
    assert.ok(titleIds.has('seeded-1') && titleIds.has(String(series)));
    assert.deepEqual(profile.titles.find((title) => title.titleId === String(series))?.watched, [
      String(episodes[2]),
    ]);
  });

  describe('bad input', () => {
    const bodies: [string, unknown][] = [
      ['no body', undefined],
      ['a negative position', { position: -1, duration: 10 }],
      ['a zero duration', { position: 0, duration: 0 }],
      ['a string position', { position: '12', duration: 10 }],
      ['an absurd duration', { position: 1, duration: 1e12 }],
      ['an unknown field', { position: 1, duration: 10, admin: true }],
      ['a track with markup', { position: 1, duration: 10, audioTrack: '<script>' }],
    ];
    for (const [name, json] of bodies) {
      it(`${name} → 400 {error, message}`, async () => {
        const guest = await newGuest(server);
        const res = await guest.request('PUT', `/api/progress/${movieFile}`, { json });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
      });
    }

    it('a position past the end is kept at the end', async () => {
      const guest = await newGuest(server);
      const res = await guest.request('PUT', `/api/progress/${looseFile}`, {
        json: { position: 99, duration: 60 },
      });
      assert.deepEqual([res.body.position, res.body.finished], [60, true]);
    });

    it("a probed file's own length decides watched, not the length the client sends", async () => {
      const film = await createMediaFile(server.app, 'probed.film.mkv', { duration: 6000 });
      const guest = await newGuest(server);
      const lying = await guest.request('PUT', `/api/progress/${film}`, {
        json: { position: 120, duration: 120 },
      });
      assert.equal(lying.status, 200, JSON.stringify(lying.body));
      assert.deepEqual([lying.body.position, lying.body.duration, lying.body.finished], [120, 6000, false]);
      const row = (await guest.get('/api/progress/continue')).body as { fileId: string; duration: number }[];
      assert.deepEqual(
        row.map((entry) => [entry.fileId, entry.duration]),
        [[String(film), 6000]],
        'still in the continue row, at its share of the real length',
      );
    });

    it("a position past a probed file's end is kept at its end, whatever length the client sends", async () => {
      const film = await createMediaFile(server.app, 'probed.short.mkv', { duration: 1500 });
      const guest = await newGuest(server);
      const res = await guest.request('PUT', `/api/progress/${film}`, {
        json: { position: 5000, duration: 6000 },
      });
      assert.deepEqual([res.body.position, res.body.duration, res.body.finished], [1500, 1500, true]);
      assert.equal((await guest.get(`/api/progress/${film}`)).body.position, 1500);
    });

    it('an unknown file → 404; a malformed id → 400; an unknown title → 404', async () => {
      const guest = await newGuest(server);
      const unknown = '0123456789abcdef01234567';
      assert.equal(
        (await guest.request('PUT', `/api/progress/${unknown}`, { json: { position: 1, duration: 9 } }))
          .status,
        404,
      );
      assert.equal((await guest.get(`/api/progress/${unknown}`)).status, 404);
      assert.equal((await guest.get('/api/progress/not-an-id')).status, 400);
      assert.equal((await guest.get(`/api/progress/title/${unknown}`)).status, 404);
      assert.equal((await guest.get('/api/progress/continue?limit=1000')).status, 400);
    });

    it('without an identity from an earlier visit → 401', async () => {
      const res = await new TestClient(server.url).request('PUT', `/api/progress/${movieFile}`, {
        json: { position: 1, duration: 9 },
      });
      assert.equal(res.status, 401);
    });

    it('a guest cookie signed with an old key → 401 and a new guest cookie, never a 500', async () => {
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ kind: 'guest', sub: 'guest:old', iss: 'streamvault', iat: now, exp: now + 600 })}`;
      const oldKey = createHmac('sha256', 'an-old-secret-key-that-was-rotated-away')
        .update('streamvault:jwt')
        .digest();
      const browser = new TestClient(server.url);
      browser.setCookie(
        'sv_session',
        `${unsigned}.${createHmac('sha256', oldKey).update(unsigned).digest('base64url')}`,
      );
      const refused = await browser.get(`/api/progress/${movieFile}`);
      assert.equal(refused.status, 401);
      const fresh = await browser.get('/api/auth/me');
      assert.equal(fresh.status, 200, 'the refusal came with a new guest cookie');
      assert.equal(fresh.body.kind, 'guest');
      assert.notEqual(fresh.body.id, 'guest:old');
      assert.equal((await browser.get(`/api/progress/${movieFile}`)).status, 200);
    });

    it('saving is rate-limited per identity → 429 with Retry-After', async () => {
      const guest = await newGuest(server);
      let last = 0;
      for (let i = 0; i < 61; i++) {
        last = (
          await guest.request('PUT', `/api/progress/${looseFile}`, { json: { position: i, duration: 600 } })
        ).status;
      }
      assert.equal(last, 429);
    });
  });
});
