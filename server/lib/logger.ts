import { pino, type Logger } from 'pino';

export type { Logger };

// A safety net for objects handed to the logger whole (an import report, a contact): these
// fields are dropped at any depth up to four, whatever the level.
const PERSONAL_FIELDS = ['email', 'emails', 'firstName', 'lastName', 'phones', 'to'];
const PERSONAL_PATHS = PERSONAL_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]);

/** JSON logs; personal data (e-mails, names) never goes into messages at info level. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', ...PERSONAL_PATHS], remove: true },
  });
}
