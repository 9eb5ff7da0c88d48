import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Collection, type Document, MongoClient } from 'mongodb';
import mongoose, { Types } from 'mongoose';
import { ferretDbBinary, ferretDbIsCurrent, FERRETDB_BUILD_ID } from '../../scripts/lib/ferretdb.mjs';
import { mediaFileSchema } from '../../src/library/schemas/media-file.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { PROJECT_ROOT } from '../support/paths.js';

interface SqliteExplain {
  filterPushdown?: boolean;
  queryPlanner?: { Plan?: string[] };
}

/** SQLite's plan lines, e.g. `... detail=SEARCH media_files_… USING INDEX media_files_…__id_ (<expr>=?)`. */
const planOf = (explain: SqliteExplain) => (explain.queryPlanner?.Plan ?? []).join('\n');
const ID_INDEX_SEARCH = /detail=SEARCH \S+ USING INDEX \S+__id_ \(<expr>=\?\)/;

/**
 * The embedded FerretDB (SQLite backend), as built by scripts/lib/ferretdb.mjs with its `_id` patch:
 * `_id` equality, `{$eq}`, `{$in}` and `_id` beside other conditions are answered from the `_id_`
 * index (SQLite SEARCH, not SCAN), and results stay exactly what MongoDB would return. Upstream
 * v1.24.2 names an expression the index is not on, so every `_id` lookup, update and delete read the
 * whole table (findById 131 ms, `$in` of 24 ids 5.3 s at 20k files: bench/ferretdb-id.ts).
 */
describe('FerretDB SQLite: `_id` answered from its index', () => {
  let db: TestDatabase;
  let client: MongoClient;
  let files: Collection<Document>;
  const ids = Array.from({ length: 200 }, () => new Types.ObjectId());

  before(async () => {
    const binary = process.env.FERRETDB_BIN || ferretDbBinary(PROJECT_ROOT);
    assert.ok(
      ferretDbIsCurrent(binary),
      `${binary} is not the ${FERRETDB_BUILD_ID} build: run \`npm run setup\` to rebuild it with the patches`,
    );
    db = await startTestDatabase();
    // The app's own schema creates its indexes, as at boot.
    const connection = await mongoose.createConnection(db.uri).asPromise();
    await connection.model('MediaFile', mediaFileSchema).createIndexes();
    await connection.close();
    client = await MongoClient.connect(db.uri);
    files = client.db().collection('mediafiles');
    await files.insertMany(ids.map((_id, i) => ({ _id, size: i, fileName: `f${i}`, revision: i % 3 })));
    await client
      .db()
      .collection('keys')
      .insertMany([
        { _id: 'abc' as never, n: 1 },
        { _id: 7 as never, n: 2 },
      ]);
  });
  after(async () => {
    await client?.close();
    await db?.stop();
  });

  const explain = async (filter: Document, coll = files) =>
    (await coll.find(filter).explain()) as unknown as SqliteExplain;

  it('finds by `_id` (ObjectId, string, `$eq`) with an index search, not a scan', async () => {
    for (const filter of [{ _id: ids[5] }, { _id: { $eq: ids[5] } }]) {
      const plan = await explain(filter);
      assert.equal(plan.filterPushdown, true);
      assert.match(planOf(plan), ID_INDEX_SEARCH, JSON.stringify(filter));
      assert.deepEqual(await files.find(filter).toArray(), [
        { _id: ids[5], size: 5, fileName: 'f5', revision: 2 },
      ]);
    }
    const keys = client.db().collection('keys');
    assert.match(planOf(await explain({ _id: 'abc' }, keys)), ID_INDEX_SEARCH);
    assert.equal((await keys.findOne({ _id: 'abc' as never }))?.n, 1);
  });

  it('finds `_id: {$in}` with an index search and returns exactly the listed documents', async () => {
    const listed = [ids[1], ids[100], new Types.ObjectId(), ids[199]];
    const plan = await explain({ _id: { $in: listed } });
    assert.equal(plan.filterPushdown, true);
    assert.match(planOf(plan), ID_INDEX_SEARCH);
    const found = await files
      .find({ _id: { $in: listed } })
      .sort({ size: 1 })
      .toArray();
    assert.deepEqual(
      found.map((f) => f.size),
      [1, 100, 199],
    );
  });

  it('narrows by `_id` when other conditions sit beside it, and still applies them', async () => {
    const plan = await explain({ _id: ids[4], revision: 1 });
    assert.match(planOf(plan), ID_INDEX_SEARCH);
    assert.equal((await files.find({ _id: ids[4], revision: 1 }).toArray()).length, 1);
    assert.equal((await files.find({ _id: ids[4], revision: 2 }).toArray()).length, 0);
    assert.equal((await files.find({ _id: { $in: [ids[4], ids[5]] }, revision: 2 }).toArray()).length, 1);
    assert.equal((await files.find({ _id: ids[4], $or: [{ size: 4 }, { size: 9 }] }).toArray()).length, 1);
  });

  it('counts by `_id`', async () => {
    assert.equal(await files.countDocuments({ _id: { $in: [ids[2], ids[3], new Types.ObjectId()] } }), 2);
    assert.equal(await files.countDocuments({ _id: ids[2], size: 3 }), 0);
  });

  it('leaves other `_id` shapes to the full filter, with the same answers', async () => {
    assert.equal((await explain({ _id: { $gte: ids[0] } })).filterPushdown, false);
    assert.equal((await explain({ _id: { $in: [ids[0], /x/] } })).filterPushdown, false);
    assert.equal((await explain({ size: 3 })).filterPushdown, false);
    const keys = client.db().collection('keys');
    assert.equal((await explain({ _id: 7 }, keys)).filterPushdown, false);
    assert.equal((await keys.findOne({ _id: 7.0 as never }))?.n, 2);
    assert.equal((await files.find({ _id: { $in: [] } }).toArray()).length, 0);
  });

  it('aggregates from `$match` by `_id` with an index search', async () => {
    const aggregate = (await files.aggregate([{ $match: { _id: ids[2] } }]).explain()) as SqliteExplain;
    assert.match(planOf(aggregate), ID_INDEX_SEARCH);
  });

  it('updates, finds-and-modifies and deletes by `_id` exactly the matching document', async () => {
    assert.equal(
      (await files.updateOne({ _id: ids[10] }, { $set: { fileName: 'renamed' } })).modifiedCount,
      1,
    );
    assert.equal(
      (await files.updateOne({ _id: ids[11], revision: 0 }, { $inc: { revision: 1 } })).matchedCount,
      0,
    );
    assert.equal(
      (await files.updateOne({ _id: ids[11], revision: 2 }, { $inc: { revision: 1 } })).modifiedCount,
      1,
    );
    const after = await files.findOneAndUpdate(
      { _id: ids[12] },
      { $set: { size: -12 } },
      { returnDocument: 'after' },
    );
    assert.equal(after?.size, -12);
    assert.equal(
      (await files.updateMany({ _id: { $in: [ids[13], ids[14]] } }, { $set: { size: 0 } })).modifiedCount,
      2,
    );
    assert.equal((await files.deleteOne({ _id: ids[15] })).deletedCount, 1);
    assert.equal((await files.deleteMany({ _id: { $in: [ids[16], ids[17]] }, revision: 1 })).deletedCount, 1);

    const byId = new Map((await files.find({}).toArray()).map((f) => [String(f._id), f]));
    assert.equal(byId.size, 198);
    assert.equal(byId.get(String(ids[10]))?.fileName, 'renamed');
    assert.equal(byId.get(String(ids[11]))?.revision, 3);
    assert.equal(byId.get(String(ids[12]))?.size, -12);
    assert.deepEqual([byId.get(String(ids[13]))?.size, byId.get(String(ids[14]))?.size], [0, 0]);
    assert.equal(byId.has(String(ids[15])), false);
    assert.equal(byId.has(String(ids[16])), false); // revision 1
    assert.equal(byId.get(String(ids[17]))?.revision, 2);
    assert.equal(byId.get(String(ids[18]))?.size, 18); // untouched neighbours
  });
});
