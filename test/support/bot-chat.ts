import { UserService } from '../../src/auth/user.service.js';
import { type LogLevel } from '../../src/core/config/app-config.js';
import { type TelegramGateway } from '../../src/core/storage/telegram/telegram-gateway.js';
import { eventually } from './eventually.js';
import { type BotApiCall, startFakeBotApi } from './fake-bot-api.js';
import { type InProcessApp, startInProcessApp } from './in-process-app.js';

/** Someone writing to the bot (`name` is their Telegram first name). */
export interface ChatUser {
  id: number;
  name: string;
}

export type BotChat = Awaited<ReturnType<typeof startBotChat>>;

/**
 * Telegram as the bot suites see it: a fake Bot API for `token` (test/support/fake-bot-api.ts), apps
 * whose bot talks to it, and the two waits every bot test needs — "the bot has handled this message"
 * and "the bot has made this call". `close()` stops the apps still running, then the fake.
 */
export async function startBotChat(token: string) {
  const api = await startFakeBotApi(token);
  const running = new Set<InProcessApp>();

  const waitForCall = (what: string, accept: (call: BotApiCall) => boolean, timeoutMs = 60000) =>
    eventually(
      async () => api.calls.find(accept),
      (call) => call !== undefined,
      { timeoutMs, intervalMs: 100, what },
    ) as Promise<BotApiCall>;

  return {
    api,
    waitForCall,

    /**
     * `from` writes `text` in `chatId` (a group when negative, else a private chat), with `extra`
     * message fields such as a video; resolves with the message id once the bot has handled it.
     */
    async send(chatId: number, from: ChatUser, text: string, extra: Record<string, unknown> = {}) {
      const { messageId, updateId } = api.message(chatId, from, text, extra);
      await eventually(async () => api.handled(updateId), Boolean, {
        timeoutMs: 15000,
        what: `"${text}" handled`,
      });
      return messageId;
    },

    /**
     * The app with its bot on this fake (status refreshed every 3 s unless `env` says otherwise) and
     * the first-start admin created, once the bot takes updates: its first long poll, or with
     * `TELEGRAM_WEBHOOK_URL` its webhook registered.
     */
    async startApp(
      env: Record<string, string>,
      options: { telegram?: TelegramGateway; logLevel?: LogLevel } = {},
    ): Promise<InProcessApp> {
      const start = api.calls.length;
      const started = await startInProcessApp(
        { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: api.apiRoot, STATUS_INTERVAL: '3', ...env },
        options,
      );
      // Closing twice (the test, then close() below) closes once.
      const server: InProcessApp = {
        ...started,
        close: async () => {
          if (running.delete(server)) await started.close();
        },
      };
      running.add(server);
      try {
        await server.app.get(UserService).bootstrapAdmin();
        const ready = env.TELEGRAM_WEBHOOK_URL ? 'setWebhook' : 'getUpdates';
        await waitForCall(
          `the bot's ${ready}`,
          (call) => call.method === ready && api.calls.indexOf(call) >= start,
          10000,
        );
      } catch (error) {
        await server.close();
        throw error;
      }
      return server;
    },

    async close(): Promise<void> {
      for (const server of [...running]) await server.close();
      await api.close();
    },
  };
}

/** A call in short, to compare sequences of them: `[method, chat id, message id]`. */
export function callSummary(call: BotApiCall): [string, number, number | undefined] {
  const messageId = call.params.message_id;
  return [call.method, Number(call.params.chat_id), messageId === undefined ? undefined : Number(messageId)];
}
