import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentIdentity, Identified } from '../../auth/access.decorators.js';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity } from '../../core/identity/identity.js';
import { MusicBrowseService } from './music-browse.service.js';

/** The web player's API (signed-in accounts): albums, artists, playlists, and tracks with signed links. */
@ApiTags('music')
@Controller('api/music')
@Identified()
export class MusicController {
  constructor(private readonly browse: MusicBrowseService) {}

  @Get('albums')
  albums(
    @CurrentIdentity() identity: Identity,
    @Query('offset') offset?: string,
    @Query('limit') limit?: string,
  ) {
    account(identity);
    return this.browse.albums(whole(offset, 0, 'offset'), Math.min(500, whole(limit, 200, 'limit')));
  }

  @Get('albums/:id')
  album(@CurrentIdentity() identity: Identity, @Param('id') id: string) {
    account(identity);
    return this.browse.album(id);
  }

  @Get('artists')
  artists(@CurrentIdentity() identity: Identity) {
    account(identity);
    return this.browse.artists();
  }

  @Get('artists/:id')
  artist(@CurrentIdentity() identity: Identity, @Param('id') id: string) {
    account(identity);
    return this.browse.artist(id);
  }

  @Get('playlists')
  playlists(@CurrentIdentity() identity: Identity) {
    return this.browse.playlists(account(identity));
  }

  @Get('playlists/:id')
  playlist(@CurrentIdentity() identity: Identity, @Param('id') id: string) {
    return this.browse.playlist(account(identity), id);
  }
}

/** Music is for accounts (stars, plays and playlists are theirs): a guest is asked to sign in. */
function account(identity: Identity): string {
  if (identity.kind !== 'user') throw new AppError(401, 'unauthorized', 'Sign in to listen to music.');
  return identity.id;
}

function whole(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,7}$/.test(value)) throw new AppError(400, 'bad_request', `${name} must be a whole number.`);
  return Number(value);
}
