import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { CommentIndexRepository } from '../../src/library/comment-index.repository.js';
import { CommentRepository } from '../../src/library/comment.repository.js';
import { CommentService } from '../../src/library/comment.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { eventually } from '../support/eventually.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

const author = { kind: 'guest', id: 'guest:indexed', name: 'Indexed', via: 'cookie' } as const;

/**
 * A title's comment pages come from the comment index in Redis (ids newest first and the count) plus
 * `_id` lookups, not from a filtered scan of `comments`; the index builds itself from the database
 * when it is missing, and answers stay what the database says through adds, deletes and a flush.
 */
describe('comment index', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let comments: CommentService;
  let index: CommentIndexRepository;
  let library: LibraryService;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    comments = server.app.get(CommentService);
    index = server.app.get(CommentIndexRepository);
    library = server.app.get(LibraryService);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const bodies = async (titleId: Types.ObjectId, page = 1, size = 50) => {
    const listed = await comments.list(titleId, page, size);
    return { bodies: listed.items.map((c) => c.body), total: listed.total };
  };
  const waitForIndex = (titleId: Types.ObjectId) =>
    eventually(
      async () => {
        await comments.list(titleId, 1, 1); // a read starts the build when the index is missing
        return index.page(String(titleId), 0, 1);
      },
      (page) => page.built,
      { what: 'the comment index built', timeoutMs: 30_000 },
    );
  /** While `work` runs, the filtered queries fail: what answers must be the index. */
  const withoutFilteredQueries = async <T>(work: () => Promise<T>): Promise<T> => {
    const repository = server.app.get(CommentRepository);
    const { listForTitle, countForTitle } = repository;
    const refuse = () => Promise.reject(new Error('a filtered query of comments ran'));
    Object.assign(repository, { listForTitle: refuse, countForTitle: refuse });
    try {
      return await work();
    } finally {
      Object.assign(repository, { listForTitle, countForTitle });
    }
  };

  it('builds itself from comments written before it existed, answering from the database meanwhile', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Old Talk', year: 1999 });
    for (let i = 1; i <= 3; i++) await comments.add(title._id, author, `old ${i}`);
    await index.invalidate();
    assert.deepEqual(await bodies(title._id), { bodies: ['old 3', 'old 2', 'old 1'], total: 3 });
    await waitForIndex(title._id);
    assert.deepEqual(await withoutFilteredQueries(() => bodies(title._id)), {
      bodies: ['old 3', 'old 2', 'old 1'],
      total: 3,
    });
  });

  it('pages newest first with totals, through adds and deletes, without a filtered query', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Busy Thread', year: 2010 });
    const other = await library.upsertSkeleton({ kind: 'series', name: 'Quiet Thread', year: 2010 });
    await waitForIndex(title._id);
    const posted = [];
    for (let i = 1; i <= 7; i++) posted.push(await comments.add(title._id, author, `c${i}`));
    await comments.add(other._id, author, 'elsewhere');
    await comments.delete(title._id, new Types.ObjectId(posted[2].id));
    await withoutFilteredQueries(async () => {
      assert.deepEqual(await bodies(title._id, 1, 4), { bodies: ['c7', 'c6', 'c5', 'c4'], total: 6 });
      assert.deepEqual(await bodies(title._id, 2, 4), { bodies: ['c2', 'c1'], total: 6 });
      assert.deepEqual(await bodies(title._id, 3, 4), { bodies: [], total: 6 });
      assert.deepEqual(await bodies(other._id), { bodies: ['elsewhere'], total: 1 });
    });
  });

  it('drops ids whose comment is gone, and forgets a deleted title’s comments', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Vanishing Words', year: 2001 });
    await waitForIndex(title._id);
    const kept = await comments.add(title._id, author, 'kept');
    const gone = await comments.add(title._id, author, 'gone');
    // Deleted behind the index's back (as a delete racing a build would leave it).
    await server.app.get(MongoConnection).connection.collection('comments').deleteOne({ body: 'gone' });
    assert.deepEqual(await withoutFilteredQueries(() => bodies(title._id)), { bodies: ['kept'], total: 1 });
    assert.deepEqual((await index.page(String(title._id), 0, 10)).ids, [kept.id]);
    assert.notEqual(gone.id, kept.id);

    await library.deleteTitle(title._id);
    assert.deepEqual(await index.page(String(title._id), 0, 10), { built: true, ids: [], total: 0 });
  });

  it('after a Redis flush of the index, answers from the database and builds it again', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Flushed Chatter', year: 2005 });
    await waitForIndex(title._id);
    await comments.add(title._id, author, 'before the flush');
    const redis = server.app.get(RedisClient);
    const keys = await redis.client.keys(redis.key('comments:*'));
    await redis.client.del(...keys.map((key) => key.slice(redis.key('').length)));
    assert.equal((await index.page(String(title._id), 0, 1)).built, false);
    assert.deepEqual(await bodies(title._id), { bodies: ['before the flush'], total: 1 });
    await waitForIndex(title._id);
    assert.deepEqual(await withoutFilteredQueries(() => bodies(title._id)), {
      bodies: ['before the flush'],
      total: 1,
    });
  });
});
