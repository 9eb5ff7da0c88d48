import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class SaveReadingDto {
  @ApiProperty({ description: 'The page shown, from 1 (past the last page counts as the last)' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  page!: number;
}
