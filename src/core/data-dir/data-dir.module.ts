import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ensureWritableDirectory } from './writable-directory.js';

/**
 * DATA_DIR exists and is writable before anything reads or writes it: every role reports the free
 * disk of its filesystem, and the modules that own a subdirectory (local media, downloads) create
 * theirs beneath it at their own start.
 */
@Injectable()
export class DataDirectory implements OnModuleInit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    ensureWritableDirectory(this.config.dataDir, 'DATA_DIR');
  }
}

@Module({ providers: [DataDirectory] })
export class DataDirModule {}
