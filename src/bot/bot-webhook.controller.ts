import { timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { BotGateway } from './gateway/telegraf-bot.gateway.js';

/** `POST /bot/webhook`: Telegram's updates when TELEGRAM_WEBHOOK_URL is set, secret header checked. */
@ApiExcludeController()
@Controller('bot/webhook')
export class BotWebhookController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: BotGateway,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(
    @Headers('x-telegram-bot-api-secret-token') secret: string | undefined,
    @Body() update: object,
  ): Promise<void> {
    const webhook = this.config.bot.webhook;
    if (!this.config.bot.token || !webhook) {
      throw new AppError(404, 'not_found', 'The bot does not use a webhook.');
    }
    const given = Buffer.from(secret ?? '');
    const expected = Buffer.from(webhook.secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError(401, 'unauthorized', 'Wrong or missing X-Telegram-Bot-Api-Secret-Token.');
    }
    if (typeof update !== 'object' || update === null || !('update_id' in update)) {
      throw new AppError(400, 'bad_request', 'The body is not a Telegram update.');
    }
    await this.gateway.handleWebhookUpdate(update);
  }
}
