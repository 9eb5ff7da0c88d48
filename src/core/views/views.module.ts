import { Global, Module } from '@nestjs/common';
import { ViewRenderer } from './view-renderer.js';

@Global()
@Module({ providers: [ViewRenderer], exports: [ViewRenderer] })
export class ViewsModule {}
