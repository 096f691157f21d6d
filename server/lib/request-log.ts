import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { loggablePath, type Logger } from './logger.js';

declare module 'http' {
  interface IncomingMessage {
    /** X-Request-Id: the client's (64 characters at most) or a new one; in every log line about the request. */
    id: string;
  }
}

/**
 * One log line per request, written when it ends: its id, method and path (no query string, no
 * token), the status and the time taken; warn for 4xx, error for 5xx and for a request whose
 * client went away first. Nothing is built for a request until its line is written, and only
 * when that level is logged: under load, a logger object per request was a fifth of what the
 * app allocated.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    req.id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) ?? randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const done = () => {
      res.off('close', done);
      res.off('finish', done);
      const level = !res.writableFinished || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = { req: { id: req.id, method: req.method, url: loggablePath(req.originalUrl) }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) };
      logger[level](line, res.writableFinished ? 'request completed' : 'request aborted');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
