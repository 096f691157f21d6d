import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; personal data (e-mails, names) never goes into messages at info level. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
  });
}
