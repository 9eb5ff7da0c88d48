import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AD_EVENTS, AdEvent, AdEventSource } from '../tracking/ad-event.js';

export class AdFreeDto {
  @ApiProperty()
  @IsBoolean()
  adFree!: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class AdStatsQueryDto {
  @ApiPropertyOptional({ example: '2026-12-01', description: 'UTC day; default 29 days before `to`' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a date such as 2026-12-01' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-04', description: 'UTC day; default today' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a date such as 2026-12-04' })
  to?: string;
}

export class AdEventParams {
  @ApiProperty({ enum: AD_EVENTS })
  @IsIn(AD_EVENTS, { message: `event must be one of ${AD_EVENTS.join(', ')}` })
  event!: AdEvent;
}

export class AdTrackQueryDto {
  @ApiProperty({ description: 'the serving token the VAST or the player page gave with this ad' })
  @IsString({ message: 'token is required: the serving token the VAST or the player page gave' })
  @MaxLength(200, { message: 'token is not a serving token' })
  token!: string;

  @ApiPropertyOptional({
    description: "which of the serving's ads (the player's breaks, in play order)",
    default: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'ad must be a whole number from 0 to 20' })
  @Min(0, { message: 'ad must be a whole number from 0 to 20' })
  @Max(20, { message: 'ad must be a whole number from 0 to 20' })
  ad?: number;

  @ApiPropertyOptional({ enum: Object.values(AdEventSource), default: AdEventSource.Player })
  @IsOptional()
  @IsIn(Object.values(AdEventSource))
  source?: AdEventSource;

  @ApiPropertyOptional({ description: 'the break: pre (a pre-roll starts the frequency cap) or mid' })
  @IsOptional()
  @IsIn(['pre', 'mid'])
  break?: 'pre' | 'mid';

  @ApiPropertyOptional({ description: 'VAST error code (error events)' })
  @IsOptional()
  @Matches(/^[0-9A-Z[\]]{1,16}$/)
  code?: string;
}
