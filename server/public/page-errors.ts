import type { ErrorRequestHandler } from 'express';
import type { Config } from '../lib/config.js';
import { toAppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { errorPage } from './subscription.views.js';

/**
 * Errors of the public pages as French pages (not the API's JSON): 429 "Trop de tentatives",
 * other 4xx with their message, and anything unexpected, logged, as a plain 500 page.
 */
export function publicPageErrors(config: Config, logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error);
    if (appError?.status === 429) return res.status(429).type('html').send(errorPage(config, 'Trop de tentatives', appError.message));
    if (appError) return res.status(appError.status).type('html').send(errorPage(config, 'Erreur', appError.message));
    logger.error({ err: error, reqId: req.id }, 'unexpected error on a public page');
    res.status(500).type('html').send(errorPage(config, 'Erreur', 'Une erreur est survenue de notre côté. Réessayez dans quelques minutes.'));
  };
}
