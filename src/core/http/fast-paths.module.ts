import { Global, Module } from '@nestjs/common';
import { FastPaths } from './fast-paths.js';

/** The paths answered ahead of Express, which feature modules register (see FastPaths). */
@Global()
@Module({ providers: [FastPaths], exports: [FastPaths] })
export class FastPathsModule {}
