/** Keys whose values never reach a log line. */
const secretKeys = /authorization|password|secret|token|api[-_]?key|cookie|smtp_url|database_url/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretKeys.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** Removes credentials from a connection URL before it is shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** Structured logging: one JSON line per entry, secrets redacted. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing JSON lines to a stream; `level` `silent` writes nothing. */
export function createLogger(
  level: 'info' | 'warn' | 'error' | 'silent' = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const order = { info: 0, warn: 1, error: 2, silent: 3 };
  const log = (lvl: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    write(`${JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...(redact(fields ?? {}) as object) })}\n`);
  };
  return {
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
