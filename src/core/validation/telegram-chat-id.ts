/**
 * A Telegram chat id written out: a non-zero integer (a group's is negative). Telegram's ids fit in 52
 * bits; 15 digits cover every id in use (supergroups are -100 and 10 digits) and stay far below 2^53, so
 * `Number()` keeps each one exact (16 digits such as 9999999999999999 would be stored rounded).
 */
const CHAT_ID = '-?[1-9]\\d{0,14}';

export const TELEGRAM_CHAT_ID = new RegExp(`^${CHAT_ID}$`);

/** A comma list of chat ids (as BOT_AUTHORIZED_CHATS), spaces around each allowed; empty is none. */
export const TELEGRAM_CHAT_ID_LIST = new RegExp(`^(\\s*${CHAT_ID}\\s*(,\\s*${CHAT_ID}\\s*)*)?$`);

/** A comma list of Telegram user ids (as BOT_ADMIN_IDS): positive, the same bound as chat ids. */
export const TELEGRAM_USER_ID_LIST = /^(\s*[1-9]\d{0,14}\s*(,\s*[1-9]\d{0,14}\s*)*)?$/;

/** A channel's chat id (-100 and its number, within the same 15 digits), or its @username. */
export const TELEGRAM_CHANNEL = /^(-100[1-9]\d{4,11}|@[A-Za-z0-9_]{5,32})$/;

export const TELEGRAM_CHAT_ID_MESSAGE = 'chat id must be a Telegram chat id such as -1001234567890';

/** The chat id `text` names, or undefined when it is not one. */
export function parseTelegramChatId(text: string): number | undefined {
  return TELEGRAM_CHAT_ID.test(text) ? Number(text) : undefined;
}
