import { type BotCommandInfo } from '../gateway/bot-events.js';

/** The commands shown in Telegram's menu (setMyCommands) and in /help. */
export const BOT_COMMANDS: readonly BotCommandInfo[] = [
  { command: 'leech', description: 'Add media from a link: /leech <url> [name hint]' },
  { command: 'status', description: 'Show the live status of this chat’s tasks' },
  { command: 'cancel', description: 'Cancel a task: /cancel <task id>' },
  { command: 'retry', description: 'Retry a failed or cancelled task: /retry <task id>' },
  { command: 'search', description: 'Find titles and get watch links: /search <words>' },
  { command: 'login', description: 'Get a sign-in link for the web app (in private)' },
  { command: 'health', description: 'Processes, workers and queue (admins)' },
  { command: 'stats', description: 'Library and storage counts (admins)' },
  { command: 'help', description: 'What the bot can do' },
];

export const KNOWN_COMMANDS = new Set(['start', ...BOT_COMMANDS.map((c) => c.command)]);

export function helpText(isAdmin: boolean): string {
  const lines = BOT_COMMANDS.filter((c) => isAdmin || !c.description.endsWith('(admins)')).map(
    (c) => `/${c.command} — ${c.description.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`,
  );
  return [
    '<b>StreamVault bot</b>',
    'Send a link with /leech, or send me a video or file, and follow it in the status message; finished media arrive here with a watch link.',
    '',
    ...lines,
  ].join('\n');
}

/** `/cmd@bot args` → `{ name, target, args }`; undefined when the text is not a command. */
export function parseCommand(text: string): { name: string; target?: string; args: string } | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  return { name: match[1].toLowerCase(), target: match[2], args: (match[3] ?? '').trim() };
}
