/** One log line as the live log view sees it (compact, the same shape from every process). */
export interface LiveLogLine {
  /** ISO time. */
  time: string;
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  role: string;
  instance: string;
  msg: string;
  context?: string;
  reqId?: string;
  taskId?: string;
}

const LEVELS: Record<number, LiveLogLine['level']> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const MAX_MESSAGE = 2000;
const TASK_ID_IN_TEXT = /\btask ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/;

/** A pino JSON line made compact; undefined for anything that is not one. */
export function toLiveLogLine(json: string, instance: string): LiveLogLine | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const level = LEVELS[Number(record.level)];
  if (!level) return undefined;
  const err = record.err as { message?: unknown } | undefined;
  const req = record.req as { method?: unknown; url?: unknown } | undefined;
  const res = record.res as { statusCode?: unknown } | undefined;
  let msg = typeof record.msg === 'string' ? record.msg : '';
  if (req && res) msg = `${String(req.method)} ${String(req.url)} → ${String(res.statusCode)} ${msg}`.trim();
  if (err?.message && !msg.includes(String(err.message))) msg = `${msg} ${String(err.message)}`.trim();
  const taskId =
    typeof record.taskId === 'string' ? record.taskId : (TASK_ID_IN_TEXT.exec(msg)?.[1] ?? undefined);
  return {
    time: typeof record.time === 'string' ? record.time : new Date().toISOString(),
    level,
    role: typeof record.role === 'string' ? record.role : '',
    instance,
    msg: msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}…` : msg,
    context: typeof record.context === 'string' ? record.context : undefined,
    reqId: typeof record.reqId === 'string' ? record.reqId : undefined,
    taskId,
  };
}
