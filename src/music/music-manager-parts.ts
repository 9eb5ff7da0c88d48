import { MusicCatalog } from './catalog/music-catalog.js';
import { SubsonicController } from './subsonic/subsonic.controller.js';
import { SubsonicService } from './subsonic/subsonic.service.js';
import { MusicUserService } from './user/music-user.service.js';
import { MusicBrowseService } from './web/music-browse.service.js';
import { MusicLinks } from './web/music-links.js';
import { MusicController } from './web/music.controller.js';
import { TenantMusicCleanup } from './user/tenant-music.cleanup.js';

/** Music on managers: the Subsonic API (from the in-memory catalog) and the web player's `/api/music`. */
export const MANAGER_PARTS = {
  controllers: [SubsonicController, MusicController],
  providers: [
    MusicCatalog,
    MusicUserService,
    SubsonicService,
    MusicBrowseService,
    MusicLinks,
    TenantMusicCleanup,
  ],
};
