import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from 'mongoose';
import { DEFAULT_TENANT, type Tenant } from '../../src/core/tenancy/tenant.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { type FileChangeBus } from '../../src/library/file-change.bus.js';
import { type LibraryService } from '../../src/library/library.service.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { FileRecordCache } from '../../src/stream/file-record.cache.js';

/** A site showing part of the library. */
const SCOPED: Tenant = {
  ...DEFAULT_TENANT,
  id: 'scoped-site',
  slug: 'scoped',
  scope: { mode: 'filtered' },
} as Tenant;

describe('FileRecordCache (file records for the byte path)', () => {
  it('reads a record whatever the site: two sites sharing one lookup get the record, the scope is judged by the caller', async () => {
    const fileId = new Types.ObjectId();
    const record = { _id: fileId, fileName: 'a.mp3' } as unknown as MediaFile;
    const reads: string[] = [];
    let answer: (file: MediaFile) => void = () => undefined;
    // Only the site-independent read exists here: a cache that judged the scope would call something else.
    const library = {
      requireFileUnscoped: (id: Types.ObjectId) => {
        reads.push(`${TenantContext.current().id}:${String(id)}`);
        return new Promise<MediaFile>((resolve) => (answer = resolve));
      },
    } as unknown as LibraryService;
    const changes = { live: true, listen: async () => undefined } as unknown as FileChangeBus;
    const cache = new FileRecordCache(library, changes);

    // The scoped site asks first and starts the lookup; the default site joins it.
    const scoped = TenantContext.run(SCOPED, () => cache.get(String(fileId)));
    const operator = TenantContext.run(DEFAULT_TENANT, () => cache.get(String(fileId)));
    answer(record);
    assert.equal(await scoped, record);
    assert.equal(await operator, record);
    assert.deepEqual(reads, [`scoped-site:${String(fileId)}`], 'one read for both');
    assert.equal(await cache.get(String(fileId)), record, 'kept');
    assert.equal(reads.length, 1);
  });

  it('serves nothing it kept while changes cannot reach it (the subscription is down), and keeps nothing meanwhile', async () => {
    const fileId = new Types.ObjectId();
    let reads = 0;
    const library = {
      requireFileUnscoped: async () => ({ _id: fileId, fileName: `read ${++reads}` }) as unknown as MediaFile,
    } as unknown as LibraryService;
    const changes = { live: true, listen: async () => undefined };
    const cache = new FileRecordCache(library, changes as unknown as FileChangeBus);

    assert.equal((await cache.get(String(fileId))).fileName, 'read 1');
    assert.equal((await cache.get(String(fileId))).fileName, 'read 1', 'kept while live');
    changes.live = false;
    assert.equal((await cache.get(String(fileId))).fileName, 'read 2', 'a change may have been missed');
    assert.equal((await cache.get(String(fileId))).fileName, 'read 3', 'nothing kept while down');
    changes.live = true;
    assert.equal((await cache.get(String(fileId))).fileName, 'read 4');
    assert.equal((await cache.get(String(fileId))).fileName, 'read 4');
  });

  it('answers a request with a change heard in the same turn of the event loop (read just after it)', async () => {
    const fileId = new Types.ObjectId();
    let reads = 0;
    const library = {
      requireFileUnscoped: async () => ({ _id: fileId, fileName: `name ${++reads}` }) as unknown as MediaFile,
    } as unknown as LibraryService;
    let heard: (ids: readonly string[] | undefined) => void = () => undefined;
    const changes = { live: true, listen: async (listener: typeof heard) => void (heard = listener) };
    const cache = new FileRecordCache(library, changes as unknown as FileChangeBus);
    await cache.onModuleInit();
    assert.equal((await cache.get(String(fileId))).fileName, 'name 1');

    // The request is read first, then the rename's news from the Redis socket, in one poll phase.
    const answer = cache.get(String(fileId));
    heard([String(fileId)]);
    assert.equal((await answer).fileName, 'name 2');
  });
});
