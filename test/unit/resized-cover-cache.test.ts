import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { type FileChangeBus, type FileChangeListener } from '../../src/library/file-change.bus.js';
import { MusicMediaService } from '../../src/music/streaming/music-media.service.js';
import { ResizedCoverCache } from '../../src/music/streaming/resized-cover-cache.js';
import { eventually } from '../support/eventually.js';
import { tempDir } from '../support/media.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The bus as the library drives it: a deleted file's id is published to every listener. */
class FakeFileChanges {
  readonly listeners: FileChangeListener[] = [];
  readonly live = true;
  listen(listener: FileChangeListener): Promise<void> {
    this.listeners.push(listener);
    return Promise.resolve();
  }
  publish(fileIds: readonly string[] | undefined): void {
    for (const listener of this.listeners) listener(fileIds);
  }
}

describe('Resized covers: a cover file removed from the library', () => {
  it('takes its resized copies out of the cache, and only its own', async () => {
    const dataDir = tempDir('sv-resized-covers-');
    made.push(dataDir);
    const covers = new ResizedCoverCache({
      dataDir,
      music: { coverCacheBytes: 1024 * 1024 },
    } as unknown as AppConfig);
    const changes = new FakeFileChanges();
    // Only the cover cache and the file changes take part; nothing else is reached.
    const unused = undefined as never;
    const service = new MusicMediaService(
      unused,
      unused,
      { register: () => undefined } as never,
      unused,
      unused,
      unused,
      unused,
      unused,
      unused,
      covers,
      changes as unknown as FileChangeBus,
    );
    await service.onModuleInit();
    const [gone, kept] = ['64b000000000000000000001', '64b000000000000000000002'];
    for (const name of [`${gone}-256.jpg`, `${gone}-512.jpg`, `${kept}-256.jpg`]) {
      await covers.put(name, Buffer.alloc(100));
    }
    changes.publish([gone]);
    changes.publish(undefined); // a lost subscription says nothing was deleted
    const dir = join(dataDir, 'cache', 'covers');
    await eventually(
      async () => readdirSync(dir),
      (names) => names.length === 1,
      { timeoutMs: 5000, intervalMs: 10, what: 'resized copies of the deleted cover removed' },
    );
    assert.deepEqual(readdirSync(dir), [`${kept}-256.jpg`]);
    assert.equal(await covers.size(`${gone}-256.jpg`), undefined);
  });
});
