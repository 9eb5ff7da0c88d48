import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One Bot API request the bot made, with its parameters (files as `{ file: bytes }`). */
export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  /** When the request arrived (ms since epoch). */
  at: number;
  /** What a successful call returned (a sent message has `message_id`). */
  result?: unknown;
  /** The error answered instead of success, if any. */
  failed?: { code: number; description: string };
}

interface Failure {
  method: string;
  match: (params: Record<string, unknown>) => boolean;
  code: number;
  description: string;
  retryAfter?: number;
}

interface Hold {
  method: string;
  match: (params: Record<string, unknown>) => boolean;
  arrive: () => void;
  gate: Promise<void>;
}

interface StoredMessage {
  chatId: number;
  text?: string;
  deleted: boolean;
}

export const FAKE_BOT_USERNAME = 'streamvault_test_bot';

/**
 * A fake Telegram Bot API server on 127.0.0.1 for telegraf (`telegram.apiRoot`). It records every call,
 * serves `getUpdates` long polls from updates a test pushes, keeps the messages it "sent" so edits and
 * deletions behave like Telegram (400 for an unchanged text or a missing message), and can answer a
 * chosen call with 429 `retry_after` or 403 "bot was blocked by the user".
 */
export async function startFakeBotApi(token: string) {
  const calls: BotApiCall[] = [];
  const updates: { update_id: number }[] = [];
  const waiters = new Set<() => void>();
  const failures: Failure[] = [];
  const holds: Hold[] = [];
  const blocked = new Set<number>();
  const messages = new Map<number, StoredMessage>();
  const files = new Map<string, { path: string; bytes: Buffer }>();
  let nextUpdateId = 1;
  let nextMessageId = 1000;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const file = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (file) {
      const stored = [...files.values()].find((f) => f.path === decodeURIComponent(file[2]));
      if (file[1] !== token || !stored) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': stored.bytes.length }).end(stored.bytes);
      return;
    }
    const match = url.pathname.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
    if (!match || match[1] !== token) {
      return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const method = match[2];
    const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    const call: BotApiCall = { method, params, at: Date.now() };
    calls.push(call);

    const hold = holds.findIndex((h) => h.method === method && h.match(params));
    if (hold >= 0) {
      const [h] = holds.splice(hold, 1);
      h.arrive();
      await h.gate;
    }
    const failure = failures.findIndex((f) => f.method === method && f.match(params));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return fail(res, call, f.code, f.description, f.retryAfter);
    }
    const chatId = Number(params.chat_id);
    if (['sendMessage', 'sendPhoto'].includes(method) && blocked.has(chatId)) {
      return fail(res, call, 403, 'Forbidden: bot was blocked by the user');
    }
    const tooLong = overTelegramLength(method, params);
    if (tooLong) return fail(res, call, 400, tooLong);
    switch (method) {
      case 'getMe':
        return ok(res, call, {
          id: 424242,
          is_bot: true,
          first_name: 'StreamVault',
          username: FAKE_BOT_USERNAME,
        });
      case 'getUpdates':
        return ok(res, call, await nextUpdates(Number(params.offset ?? 0), Number(params.timeout ?? 0)));
      case 'deleteWebhook':
      case 'setWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
        return ok(res, call, true);
      case 'sendMessage':
      case 'sendPhoto': {
        const messageId = nextMessageId++;
        const text = String(params.text ?? params.caption ?? '');
        messages.set(messageId, { chatId, text, deleted: false });
        return ok(res, call, {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
          ...(method === 'sendPhoto'
            ? {
                photo: [
                  { file_id: `photo-${messageId}`, file_unique_id: `p${messageId}`, width: 320, height: 240 },
                ],
                caption: text,
              }
            : { text }),
        });
      }
      case 'editMessageText': {
        const stored = messages.get(Number(params.message_id));
        if (!stored || stored.deleted || stored.chatId !== chatId) {
          return fail(res, call, 400, 'Bad Request: message to edit not found');
        }
        if (stored.text === params.text) {
          return fail(
            res,
            call,
            400,
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        }
        stored.text = String(params.text);
        return ok(res, call, {
          message_id: Number(params.message_id),
          date: 0,
          chat: { id: chatId, type: 'supergroup' },
          text: stored.text,
        });
      }
      case 'deleteMessage': {
        const stored = messages.get(Number(params.message_id));
        if (!stored || stored.deleted || stored.chatId !== chatId) {
          return fail(res, call, 400, 'Bad Request: message to delete not found');
        }
        stored.deleted = true;
        return ok(res, call, true);
      }
      case 'getFile': {
        const stored = files.get(String(params.file_id));
        if (!stored) return fail(res, call, 400, 'Bad Request: invalid file_id');
        return ok(res, call, {
          file_id: params.file_id,
          file_unique_id: `u-${stored.path}`,
          file_size: stored.bytes.length,
          file_path: stored.path,
        });
      }
      default:
        return fail(res, call, 404, 'Not Found: method not found');
    }
  }

  function nextUpdates(offset: number, timeoutSeconds: number): Promise<unknown[]> {
    while (updates.length > 0 && updates[0].update_id < offset) updates.shift();
    if (updates.length > 0 || timeoutSeconds === 0) return Promise.resolve([...updates]);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve([...updates]);
      };
      const timer = setTimeout(done, timeoutSeconds * 1000);
      waiters.add(done);
    });
  }

  function ok(res: ServerResponse, call: BotApiCall, result: unknown): void {
    call.result = result;
    reply(res, 200, { ok: true, result });
  }

  function fail(
    res: ServerResponse,
    call: BotApiCall,
    code: number,
    description: string,
    retryAfter?: number,
  ): void {
    call.failed = { code, description };
    reply(res, code, {
      ok: false,
      error_code: code,
      description,
      ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    /** Queues an update for the next getUpdates; returns it. */
    push(update: Record<string, unknown>) {
      const full = { update_id: nextUpdateId++, ...update };
      updates.push(full);
      for (const wake of [...waiters]) wake();
      return full;
    },
    /** A text message from `from` in `chat` (a group when the id is negative); returns its ids. */
    message(
      chatId: number,
      from: { id: number; name: string },
      text: string,
      extra: Record<string, unknown> = {},
    ) {
      const messageId = nextMessageId++;
      messages.set(messageId, { chatId, text, deleted: false });
      const update = this.push({
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat:
            chatId < 0
              ? { id: chatId, type: 'supergroup', title: 'Test group' }
              : { id: chatId, type: 'private', first_name: from.name },
          from: { id: from.id, is_bot: false, first_name: from.name },
          text,
          ...extra,
        },
      });
      return { messageId, updateId: update.update_id };
    },
    /** A press on an inline button of `messageId`. */
    callback(chatId: number, messageId: number, from: { id: number; name: string }, data: string) {
      const id = `cb-${nextUpdateId}`;
      const update = this.push({
        callback_query: {
          id,
          from: { id: from.id, is_bot: false, first_name: from.name },
          chat_instance: 'test',
          data,
          message: {
            message_id: messageId,
            date: 0,
            chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
            text: '',
          },
        },
      });
      return { callbackId: id, updateId: update.update_id };
    },
    /** The next matching call is answered with this error instead. */
    failNext(
      method: string,
      match: (params: Record<string, unknown>) => boolean,
      error: { code: number; description: string; retryAfter?: number },
    ) {
      failures.push({ method, match, ...error });
    },
    /**
     * The next matching call is answered only once `release()` is called (a slow Bot API); `arrived`
     * resolves when the call has come in.
     */
    holdNext(method: string, match: (params: Record<string, unknown>) => boolean) {
      let release!: () => void;
      let arrive!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      holds.push({ method, match, arrive, gate });
      return { arrived, release };
    },
    /** The user blocked the bot (or never opened a DM): messages to them get 403. */
    block(userId: number) {
      blocked.add(userId);
    },
    /** A file the bot can fetch with getFile and the file download URL. */
    addFile(fileId: string, path: string, bytes: Buffer) {
      files.set(fileId, { path, bytes });
    },
    isDeleted(messageId: number): boolean {
      return messages.get(messageId)?.deleted ?? false;
    },
    /** True once the bot asked for updates past `updateId`, i.e. it has handled that update. */
    handled(updateId: number): boolean {
      return calls.some((call) => call.method === 'getUpdates' && Number(call.params.offset) > updateId);
    },
    /** Calls other than the long polls. */
    significant(): BotApiCall[] {
      return calls.filter((call) => call.method !== 'getUpdates');
    },
    close: async () => {
      for (const wake of [...waiters]) wake();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

export type FakeBotApi = Awaited<ReturnType<typeof startFakeBotApi>>;

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json'))
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (type.startsWith('multipart/form-data')) {
    // The platform's multipart parser (undici), through a Request built from what arrived.
    const form = await new Request('http://fake/', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    }).formData();
    const params: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      params[key] =
        typeof value === 'string' ? parseField(value) : { file: Buffer.from(await value.arrayBuffer()) };
    }
    return params;
  }
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

/** telegraf sends non-string multipart fields JSON-encoded. */
function parseField(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Telegram's limits on what a message shows, counted after entity parsing (tags gone, `&lt;` one
 * character): 4,096 for a text, 1,024 for a caption. The description it answers past them, or none.
 */
function overTelegramLength(method: string, params: Record<string, unknown>): string | undefined {
  const rule = LENGTH_RULES[method];
  const text = rule ? params[rule.field] : undefined;
  if (!rule || typeof text !== 'string') return undefined;
  const shown =
    params.parse_mode === 'HTML'
      ? text.replace(/<[^>]*>/g, '').replace(/&(lt|gt|quot|amp|#\d+|#x[0-9a-f]+);/gi, '_')
      : text;
  return shown.length > rule.limit ? rule.description : undefined;
}

const TEXT_RULE = { field: 'text', limit: 4096, description: 'Bad Request: message is too long' };
const LENGTH_RULES: Record<string, { field: string; limit: number; description: string }> = {
  sendMessage: TEXT_RULE,
  editMessageText: TEXT_RULE,
  sendPhoto: { field: 'caption', limit: 1024, description: 'Bad Request: message caption is too long' },
};
