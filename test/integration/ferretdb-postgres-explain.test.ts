import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Collection, type Document, MongoClient } from 'mongodb';
import mongoose, { Types } from 'mongoose';
import { ferretDbBinary } from '../../scripts/lib/ferretdb.mjs';
import { startFerretDb } from '../../scripts/lib/processes.mjs';
import { mediaFileSchema } from '../../src/library/schemas/media-file.schema.js';
import { titleSchema } from '../../src/library/schemas/title.schema.js';
import { PROJECT_ROOT } from '../support/paths.js';

/** The machine's PostgreSQL (trust auth for `postgres` on loopback). */
const POSTGRES = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432';

function psql(sql: string): void {
  execFileSync('psql', [`${POSTGRES}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
}

interface FerretExplain {
  filterPushdown?: boolean;
  queryPlanner?: { Plan?: { Filter?: string; 'Node Type'?: string } };
}

/**
 * Bigger installs run FerretDB on PostgreSQL (or MongoDB). This checks what the read paths rely on:
 * FerretDB pushes `_id` equality and other equality filters down to PostgreSQL as a WHERE clause (no
 * documents decoded in FerretDB), and does not push `$in` — why the library reads lists of ids as one
 * `_id` lookup each (findEachById) and lists from the catalog index, not from filtered queries.
 */
describe('FerretDB on PostgreSQL: what is pushed down', () => {
  const database = `sv_explain_${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'sv-ferretdb-pg-'));
  let server: Awaited<ReturnType<typeof startFerretDb>>;
  let client: MongoClient;
  let titles: Collection<Document>;
  const ids = Array.from({ length: 300 }, () => new Types.ObjectId());

  before(async () => {
    psql(`CREATE DATABASE ${database}`);
    server = await startFerretDb({
      binary: process.env.FERRETDB_BIN || ferretDbBinary(PROJECT_ROOT),
      dir,
      postgresqlUrl: `${POSTGRES}/${database}`,
    });
    // The app's own schemas create their indexes, as at boot.
    const connection = await mongoose.createConnection(server.uri).asPromise();
    await connection.model('Title', titleSchema).createIndexes();
    await connection.model('MediaFile', mediaFileSchema).createIndexes();
    await connection.close();
    client = await MongoClient.connect(server.uri);
    titles = client.db().collection('titles');
    await titles.insertMany(
      ids.map((_id, i) => ({ _id, kind: i % 2 ? 'movie' : 'series', name: `t${i}`, genres: ['Drama'] })),
    );
  });
  after(async () => {
    await client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    psql(`DROP DATABASE IF EXISTS ${database}`);
  });

  const explain = async (filter: Document) =>
    (await titles.find(filter).explain()) as unknown as FerretExplain;

  it('pushes `_id` equality down to PostgreSQL', async () => {
    const plan = await explain({ _id: ids[7] });
    assert.equal(plan.filterPushdown, true);
    assert.match(String(plan.queryPlanner?.Plan?.Filter), /'_id'/);
    assert.equal((await titles.find({ _id: ids[7] }).toArray()).length, 1);
  });

  it('pushes equality on an indexed field down too', async () => {
    const plan = await explain({ kind: 'movie' });
    assert.equal(plan.filterPushdown, true);
    assert.match(String(plan.queryPlanner?.Plan?.Filter), /'kind'/);
  });

  it('does not push `_id: {$in}` down: FerretDB filters every document itself', async () => {
    const plan = await explain({ _id: { $in: ids.slice(0, 3) } });
    assert.equal(plan.filterPushdown, false);
    assert.equal(plan.queryPlanner?.Plan?.Filter, undefined);
  });
});
