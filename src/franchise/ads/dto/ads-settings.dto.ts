import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsMongoId,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

/** Our own VAST endpoint, for tenants that sell their creatives directly (house ads). */
export const OWN_VAST_PATH = '/ads/vast.xml';

export const AD_SLOT_NAMES = ['header', 'sidebar', 'underPlayer'] as const;
export type AdSlotName = (typeof AD_SLOT_NAMES)[number];

const MAX_URL = 2000;

/** An absolute https URL without credentials: ad URLs reach viewers' browsers, never plain http. */
export function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** An https origin such as `https://ads.example.com` (what the CSP is widened for). */
export function isHttpsOrigin(value: unknown): boolean {
  return isHttpsUrl(value) && new URL(value as string).origin === String(value).replace(/\/$/, '');
}

function Satisfies(test: (value: unknown) => boolean, message: string, options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'satisfies',
      target: target.constructor,
      propertyName: property,
      options: { message, ...options },
      // With `each`, class-validator calls this once per element.
      validator: { validate: (value: unknown) => test(value) },
    });
}

/** The URL of a VAST tag (an ad network's, https only) or our own house-ad endpoint. */
export const IsVastTagUrl = () =>
  Satisfies(
    (value) => value === OWN_VAST_PATH || isHttpsUrl(value),
    `vastTagUrl must be an https URL or ${OWN_VAST_PATH}`,
  );

export const IsHttpsUrl = (property: string) =>
  Satisfies(isHttpsUrl, `${property} must be an absolute https URL (at most ${MAX_URL} characters)`);

/** A network's snippet (HTML, usually a script tag) or an image with a link. */
export class AdSlotDto {
  @ApiProperty({ enum: ['html', 'image'] })
  @IsIn(['html', 'image'])
  kind!: 'html' | 'image';

  @ApiPropertyOptional({ description: 'kind html: the network snippet; its script tags get the page nonce' })
  @IsOmittable()
  @IsString()
  @MaxLength(20_000)
  html?: string;

  @ApiPropertyOptional({ description: 'kind image' })
  @IsOmittable()
  @IsHttpsUrl('imageUrl')
  imageUrl?: string;

  @ApiPropertyOptional({ description: 'kind image: where the image leads' })
  @IsOmittable()
  @IsHttpsUrl('linkUrl')
  linkUrl?: string;

  @ApiPropertyOptional({ description: 'kind image: the text alternative' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  alt?: string;
}

export class AdSlotsDto {
  @ApiPropertyOptional({ type: AdSlotDto, description: 'under the site header' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => AdSlotDto)
  header?: AdSlotDto;

  @ApiPropertyOptional({ type: AdSlotDto, description: 'beside the content (below it on phones)' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => AdSlotDto)
  sidebar?: AdSlotDto;

  @ApiPropertyOptional({ type: AdSlotDto, description: 'under the player' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => AdSlotDto)
  underPlayer?: AdSlotDto;
}

/** A directly sold creative: a library video file and where a click leads. */
export class HouseAdDto {
  @ApiProperty({ description: 'a library file (MP4 or WebM video)' })
  @IsMongoId()
  fileId!: string;

  @ApiProperty({ example: 'https://advertiser.example.com/offer' })
  @IsHttpsUrl('clickThrough')
  clickThrough!: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  title?: string;
}

/** A GPlinks-style shortener API: GET the template with `{url}` (and `{key}`) filled in, JSON back. */
export class ShortenerDto {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;

  @ApiProperty({ example: 'https://api.gplinks.com/api?api={key}&url={url}' })
  @IsHttpsUrl('urlTemplate')
  @Matches(/\{url\}/, { message: 'urlTemplate must contain {url}' })
  urlTemplate!: string;

  @ApiPropertyOptional({ description: 'filled in for {key}' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  apiKey?: string;

  @ApiPropertyOptional({ description: 'the JSON field holding the short link', default: 'shortenedUrl' })
  @IsOmittable()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { message: 'resultField must be a plain JSON field name' })
  resultField?: string;
}

/** One owner's (tenant's) ad settings: stored whole in `ad_settings`, `_id` = owner id. */
export class AdsSettings {
  @ApiProperty({ description: 'no ads at all while false' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ description: `an https VAST tag, or ${OWN_VAST_PATH} for the house ad` })
  @IsOmittable()
  @IsVastTagUrl()
  vastTagUrl?: string;

  @ApiProperty({ description: 'a linear ad before the content' })
  @IsBoolean()
  preroll!: boolean;

  @ApiProperty({ description: 'seconds into the content where an ad break plays', example: [600, 1200] })
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(86_400, { each: true })
  midrollOffsets!: number[];

  @ApiProperty({ description: "the house ad's skipoffset (seconds; 0 = not skippable)" })
  @IsInt()
  @Min(0)
  @Max(60)
  skipOffsetSeconds!: number;

  @ApiProperty({ description: 'at most one pre-roll per viewer in this many minutes (0 = no cap)' })
  @IsInt()
  @Min(0)
  @Max(1440)
  frequencyCapMinutes!: number;

  @ApiPropertyOptional({ type: HouseAdDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => HouseAdDto)
  houseAd?: HouseAdDto;

  @ApiPropertyOptional({ type: AdSlotsDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => AdSlotsDto)
  slots?: AdSlotsDto;

  @ApiProperty({
    description: 'https origins the pages may load ads from (CSP); the VAST tag origin is added itself',
    example: ['https://ads.example.com'],
  })
  @IsArray()
  @ArrayMaxSize(20)
  @Satisfies(isHttpsOrigin, 'each allowed host must be an https origin such as https://ads.example.com', {
    each: true,
  })
  allowedHosts!: string[];

  @ApiPropertyOptional({ type: ShortenerDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => ShortenerDto)
  shortener?: ShortenerDto;
}

/** What an owner that never saved ad settings has: nothing shown. */
export function defaultAdsSettings(): AdsSettings {
  return {
    enabled: false,
    preroll: true,
    midrollOffsets: [],
    skipOffsetSeconds: 5,
    frequencyCapMinutes: 0,
    allowedHosts: [],
  };
}
