import { Module } from '@nestjs/common';
import { AdsModule } from './ads/ads.module.js';

/** The franchise module: ads per owner (src/franchise/ads); tenants arrive beside them. */
@Module({ imports: [AdsModule] })
export class FranchiseModule {}
