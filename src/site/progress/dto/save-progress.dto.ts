import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, Matches, Max, Min } from 'class-validator';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

/** A track as the player names it: a language code, a track index as text, or `off`. */
const TRACK = /^[A-Za-z0-9_.:-]{1,40}$/;
const TRACK_MESSAGE = 'must be 1-40 letters, digits, "_", ".", ":" or "-" (a language, an index, or off)';
/** Longer than any film; rejects nonsense rather than storing it. */
const MAX_SECONDS = 7 * 24 * 3600;

export class SaveProgressDto {
  @ApiProperty({ description: 'Seconds played' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_SECONDS)
  position!: number;

  @ApiProperty({ description: 'Length of the file in seconds' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(MAX_SECONDS)
  duration!: number;

  @ApiPropertyOptional({ description: 'Chosen audio track (remembered per title)' })
  @IsOmittable()
  @Matches(TRACK, { message: `audioTrack ${TRACK_MESSAGE}` })
  audioTrack?: string;

  @ApiPropertyOptional({ description: 'Chosen subtitle track, or "off" (remembered per title)' })
  @IsOmittable()
  @Matches(TRACK, { message: `subtitleTrack ${TRACK_MESSAGE}` })
  subtitleTrack?: string;
}
