import { pino, type Logger } from 'pino';

export type { Logger };

// A safety net for objects handed to the logger whole (an import report, a contact): these
// fields are dropped at any depth up to four, whatever the level.
const PERSONAL_FIELDS = ['email', 'emails', 'firstName', 'lastName', 'phones', 'to'];
const PERSONAL_PATHS = PERSONAL_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]);

/** JSON logs; personal data (e-mails, names) never goes into messages at info level. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', ...PERSONAL_PATHS], remove: true },
  };
  return destination ? pino(options, destination) : pino(options);
}

// A signed link's token (`<base64url>.<mac>`, server/lib/tokens.ts) carries the e-mail, names and
// IP of a confirmation, or a contact's id; any other long opaque segment may be a secret too.
const TOKEN_SEGMENT = /^(?:[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{12,}|[A-Za-z0-9_~.-]{40,})$/;

/** A request's path for the logs: no query string, and every token-like segment replaced by `:token`. */
export function loggablePath(url: string): string {
  return url
    .split('?')[0]
    .split('/')
    .map((segment) => (TOKEN_SEGMENT.test(segment) ? ':token' : segment))
    .join('/');
}
