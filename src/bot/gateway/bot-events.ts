/** Incoming updates, reduced to what the bot acts on (telegraf's types stay inside the gateway). */

export type ChatKind = 'private' | 'group' | 'supergroup' | 'channel';

export interface BotUser {
  id: number;
  /** First and last name, as Telegram shows it. */
  name: string;
  username?: string;
}

/** A document or video attached to a message. */
export interface BotAttachment {
  fileId: string;
  /** The same for every copy of the file (forwards, re-sends). */
  fileUniqueId: string;
  fileName?: string;
  mime?: string;
  size?: number;
}

export interface BotMessage {
  chatId: number;
  chatKind: ChatKind;
  messageId: number;
  from: BotUser;
  /** Text, or a media message's caption. */
  text: string;
  /** The message this one replies to (for `/leech` as a reply to a link). */
  replyTo?: { messageId: number; text: string; attachment?: BotAttachment };
  attachment?: BotAttachment;
}

export interface BotCallback {
  id: string;
  from: BotUser;
  chatId: number;
  messageId: number;
  data: string;
}

export interface BotEventHandler {
  onMessage(message: BotMessage): Promise<void>;
  onCallback(callback: BotCallback): Promise<void>;
}

/** One inline keyboard button; `url` buttons open a link, the others send `data` back. */
export type KeyboardButton = { text: string; data: string } | { text: string; url: string };
export type Keyboard = KeyboardButton[][];

export interface BotCommandInfo {
  command: string;
  description: string;
}
