import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUrl } from 'class-validator';

export class SatelliteOriginsDto {
  @ApiProperty({ example: ['https://media.example.com', 'https://media2.example.net'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { each: true, message: 'each origin must be an absolute http(s) URL such as https://media.example.com' },
  )
  origins!: string[];
}
