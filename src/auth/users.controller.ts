import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from './access.decorators.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UserListQueryDto } from './dto/user-list-query.dto.js';
import { UserService } from './user.service.js';

@ApiTags('users')
@Controller('api/users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UserService) {}

  @Post()
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  /** Every site's accounts with their site (`?tenant=<slug>|default`: one site's). */
  @Get()
  list(@Query() query: UserListQueryDto) {
    return this.users.list(query.tenant);
  }
}
