import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../../core/errors/app-error.js';
import { AD_CREATIVE_MAX_SECONDS, slotFreeCreative } from '../../../core/tenancy/ad-creative.js';
import { LibraryService } from '../../../library/library.service.js';
import { AD_SLOT_NAMES, type AdsSettings, OWN_VAST_PATH } from '../dto/ads-settings.dto.js';

/** Rules across fields, beyond what the DTO's decorators check one field at a time: each breach is a 400. */
@Injectable()
export class AdsSettingsPolicy {
  constructor(private readonly library: LibraryService) {}

  async check(settings: AdsSettings): Promise<void> {
    for (const name of AD_SLOT_NAMES) {
      const slot = settings.slots?.[name];
      if (slot?.kind === 'html' && !slot.html?.trim())
        throw invalid(`slots.${name}: an html slot needs html`);
      if (slot?.kind === 'image' && !slot.imageUrl)
        throw invalid(`slots.${name}: an image slot needs imageUrl`);
    }
    if (settings.vastTagUrl === OWN_VAST_PATH && !settings.houseAd)
      throw invalid(`vastTagUrl ${OWN_VAST_PATH} serves the house ad: give houseAd too`);
    if (settings.houseAd) {
      // One the site shows: another would not play there (its stream links are refused).
      const file = await this.library
        .requireFile(new Types.ObjectId(settings.houseAd.fileId))
        .catch((error: unknown) => {
          if (error instanceof AppError && error.getStatus() === 404) return undefined;
          throw error;
        });
      if (!file)
        throw new AppError(
          404,
          'not_found',
          `houseAd.fileId: this site has no library file ${settings.houseAd.fileId}`,
        );
      if (!file.mime.startsWith('video/'))
        throw invalid(`houseAd.fileId: the creative must be a video (that file is ${file.mime})`);
      if (!slotFreeCreative(file)) {
        const length = file.duration ? `${Math.round(file.duration)} s long` : 'of unknown length';
        throw invalid(
          `houseAd.fileId: the creative must be an ad of at most ${AD_CREATIVE_MAX_SECONDS} s (that video is ${length})`,
        );
      }
    }
  }
}

function invalid(message: string): AppError {
  return new AppError(400, 'bad_request', message);
}
