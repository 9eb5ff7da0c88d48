import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';

export class StartPartyDto {
  @ApiProperty({ description: 'The video file everybody in the room watches' })
  @IsMongoId({ message: 'fileId must be a file id' })
  fileId!: string;
}
