import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { Types } from 'mongoose';
import { ApiTokenService } from '../../auth/api-token.service.js';
import { SessionRepository } from '../../auth/session.repository.js';
import { UserListQueryDto } from '../../auth/dto/user-list-query.dto.js';
import { UserService } from '../../auth/user.service.js';
import { DEFAULT_TENANT_ID } from '../../core/tenancy/tenant.js';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity, type IdentifiedRequest, USER_ROLES } from '../../core/identity/identity.js';
import { PanelFormDto } from '../dto/panel-form.dto.js';
import { BotChatFormDto, NewTokenFormDto, NewUserFormDto } from '../dto/user-forms.dto.js';
import { AuthorizedChatRepository } from '../../bot/access/authorized-chat.repository.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { formatAgo } from '../../core/util/format-units.js';
import { parseTelegramChatId } from '../../core/validation/telegram-chat-id.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };

const LISTED_SESSIONS = 200;

/**
 * `/admin/users`: every site's accounts with their site (`?tenant=<slug>|default` shows one site's),
 * API tokens, live sessions (each revocable) and the bot's chats. Admins only.
 */
@ApiExcludeController()
@Controller('admin/users')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class UsersController {
  constructor(
    private readonly users: UserService,
    private readonly tokens: ApiTokenService,
    private readonly sessions: SessionRepository,
    private readonly renderer: PanelRenderer,
    private readonly chats: AuthorizedChatRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async page(
    @Query() query: UserListQueryDto,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(req, res, 200, {}, query.tenant);
  }

  @Post()
  async createUser(@Body() form: NewUserFormDto, @Req() req: PanelRequest, @Res() res: Response) {
    try {
      await this.users.create({
        username: form.username,
        password: form.password || undefined,
        role: form.role,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.getStatus() !== 409) throw error;
      return this.render(req, res, 409, { userError: error.message });
    }
    redirectWithFlash(res, '/admin/users', `Created ${form.role} "${form.username}".`);
  }

  /** The new token is shown on this response only; it is stored hashed. */
  @Post('tokens')
  async createToken(@Body() form: NewTokenFormDto, @Req() req: PanelRequest, @Res() res: Response) {
    const created = await this.tokens.create(new Types.ObjectId(req.identity.id), form.name);
    await this.render(req, res, 201, { newToken: { name: created.name, token: created.token } });
  }

  @Post('tokens/:id/revoke')
  async revokeToken(@Param('id') id: string, @Body() _form: PanelFormDto, @Res() res: Response) {
    if (!(await this.tokens.revoke(id)))
      throw new AppError(404, 'not_found', 'No live API token with that id.');
    redirectWithFlash(res, '/admin/users', 'Token revoked.');
  }

  /** Chats whose members may use the bot, besides BOT_AUTHORIZED_CHATS (read at every command). */
  @Post('bot-chats')
  async addBotChat(@Body() form: BotChatFormDto, @Req() req: PanelRequest, @Res() res: Response) {
    await this.chats.add(Number(form.chatId), form.label?.trim() ?? '', req.identity.name);
    redirectWithFlash(res, '/admin/users', `The bot now serves chat ${form.chatId}.`);
  }

  @Post('bot-chats/:chatId/remove')
  async removeBotChat(@Param('chatId') chatId: string, @Body() _form: PanelFormDto, @Res() res: Response) {
    const id = parseTelegramChatId(chatId);
    if (id === undefined || !(await this.chats.remove(id))) {
      throw new AppError(
        404,
        'not_found',
        'That chat is not on the list (chats from BOT_AUTHORIZED_CHATS are changed in the environment).',
      );
    }
    redirectWithFlash(res, '/admin/users', `The bot no longer serves chat ${chatId}.`);
  }

  @Post('sessions/:id/revoke')
  async revokeSession(@Param('id') id: string, @Body() _form: PanelFormDto, @Res() res: Response) {
    if (!(await this.sessions.revoke(id)))
      throw new AppError(404, 'not_found', 'No live session with that id.');
    redirectWithFlash(res, '/admin/users', 'Session revoked.');
  }

  private async render(
    req: PanelRequest,
    res: Response,
    status: number,
    data: Record<string, unknown>,
    site?: string,
  ) {
    const [{ everyone, shown, sites }, tokens, sessions, chats] = await Promise.all([
      this.users.directory(site),
      this.tokens.list(),
      this.sessions.listLive(LISTED_SESSIONS),
      this.chats.list(),
    ]);
    // Several sites may each have an "alice": a tenant's account is named with its site.
    const names = new Map(
      everyone.map((user) => [
        user.id,
        user.tenantId === DEFAULT_TENANT_ID ? user.username : `${user.username} (${user.site})`,
      ]),
    );
    this.renderer.send(req, res, {
      view: 'users',
      title: 'Users and access',
      status,
      data: {
        ...data,
        roles: USER_ROLES,
        users: shown.map((user) => ({ ...user, created: formatAgo(user.createdAt) })),
        sites: sites.map((slug) => ({ slug, selected: slug === site })),
        site,
        tokens: tokens
          .filter((token) => !token.revokedAt)
          .map((token) => ({
            ...token,
            owner: names.get(token.userId) ?? token.userId,
            created: formatAgo(token.createdAt),
            used: token.lastUsedAt ? formatAgo(token.lastUsedAt) : 'never',
          })),
        botChats: [
          ...this.config.bot.authorizedChats.map((id) => ({
            id,
            label: 'BOT_AUTHORIZED_CHATS',
            fixed: true,
          })),
          ...chats.map((chat) => ({
            id: chat._id,
            label: chat.label,
            by: chat.addedBy,
            added: formatAgo(chat.addedAt),
          })),
        ],
        sessions: sessions.map((session) => ({
          id: session._id,
          user: names.get(String(session.userId)) ?? String(session.userId),
          method: session.method,
          client: `${session.ip ?? ''} ${session.userAgent ?? ''}`.trim(),
          created: formatAgo(session.createdAt),
          current: session._id === req.identity.sessionId,
        })),
      },
    });
  }
}
