import { Injectable } from '@nestjs/common';
import { type MediaFile } from './schemas/media-file.schema.js';
import { Registry } from '../core/util/registry.js';

/**
 * A module whose stored files belong to something of its own rather than to a library title (a music
 * track belongs to an album): it says whether the current site's scope shows such a file.
 */
export interface FileScope {
  /** True or false for a file it owns; undefined for a file it does not know. */
  inScope(file: Pick<MediaFile, '_id'>): Promise<boolean | undefined>;
}

/**
 * Who can judge a file without a title on a scoped site (the library knows only titles). Modules
 * register at init; a file none of them owns is outside every filtered scope.
 */
@Injectable()
export class FileScopes extends Registry<FileScope> {
  async inScope(file: Pick<MediaFile, '_id'>): Promise<boolean> {
    for (const scope of this.all()) {
      const answer = await scope.inScope(file);
      if (answer !== undefined) return answer;
    }
    return false;
  }
}
