import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateTenantAdminDto {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiProperty()
  @IsString()
  @Length(8, 200)
  password!: string;
}
