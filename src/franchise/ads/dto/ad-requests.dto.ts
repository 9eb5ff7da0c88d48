import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
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
