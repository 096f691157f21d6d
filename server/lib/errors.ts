import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import mongoose from 'mongoose';
import { z } from 'zod';
import { isDuplicateKey } from './db.js';
import type { Logger } from './logger.js';

// zod's own messages (unknown key, wrong type, ...) in French, like ours.
z.config(z.locales.fr());

/** The one error type the API renders as {"error":{"code","message","field"}}; messages are French. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra facts for the client, rendered inside `error` (e.g. the existing record of a 409). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new AppError(400, 'invalid', message, field);
export const notFound = (what = 'Ressource') => new AppError(404, 'not_found', `${what} introuvable.`);
export const conflict = (message: string, field?: string) => new AppError(409, 'conflict', message, field);
export const forbidden = () => new AppError(403, 'forbidden', "Vous n'avez pas les droits pour cette action.");
export const unauthorized = () => new AppError(401, 'unauthorized', 'Connexion requise.');
export function tooManyRequests(retryAfterMs = 60_000): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return new AppError(429, 'rate_limited', `Trop de tentatives. Réessayez dans ${minutes === 1 ? 'une minute' : `${minutes} minutes`}.`);
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `Aucune route pour ${req.method} ${req.path}.`));
};

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) return fromZod(error);
  if (error instanceof mongoose.Error.ValidationError) {
    const first = Object.values(error.errors)[0];
    return badRequest(first?.message ?? 'Données invalides.', first?.path);
  }
  if (error instanceof mongoose.Error.CastError) {
    if (error.path === '_id') return notFound();
    return badRequest(`Valeur invalide pour le champ « ${error.path} ».`, error.path);
  }
  if (isDatabaseUnavailable(error)) return new AppError(503, 'db_unavailable', 'La base de données ne répond pas pour le moment : réessayez dans quelques instants.');
  if (isDuplicateKey(error)) {
    const field = Object.keys((error as { keyPattern?: object }).keyPattern ?? {})[0];
    return conflict('Cet enregistrement existe déjà.', field);
  }
  return fromHttpError(error);
}

/** The 4xx errors Express, its router and its body parsers raise (http-errors), in French. */
function fromHttpError(error: unknown): AppError | undefined {
  const { status, type } = (error ?? {}) as { status?: unknown; type?: string };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (type === 'entity.too.large') return new AppError(413, 'too_large', 'La requête est trop volumineuse.');
  if (type === 'parameters.too.many') return new AppError(413, 'too_large', 'Le formulaire envoyé a trop de champs.');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new AppError(415, 'unsupported', 'Encodage de la requête non pris en charge (UTF-8 attendu).');
  if (type) return badRequest('Le corps de la requête est illisible.');
  if (error instanceof URIError) return badRequest('L’adresse demandée contient un caractère mal encodé (%…).');
  return new AppError(status, 'invalid', 'Requête invalide.');
}

export function fromZod(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issuePath(issue).join('.') || undefined;
  return badRequest(field ? `Champ « ${field} » : ${issue.message}` : (issue?.message ?? 'Données invalides.'), field);
}

/** An issue's path; an unknown key (`{"$gt": ""}`) is named by the key itself. */
export function issuePath(issue: z.core.$ZodIssue | undefined): PropertyKey[] {
  if (!issue) return [];
  return issue.code === 'unrecognized_keys' && issue.keys[0] ? [...issue.path, issue.keys[0]] : issue.path;
}

/** The database is down or being restarted: the driver reconnects by itself when it is back. */
const UNAVAILABLE = ['MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoNotConnectedError', 'MongoPoolClearedError', 'MongoTopologyClosedError'];
function isDatabaseUnavailable(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return UNAVAILABLE.includes(name ?? '') || (name === 'MongooseError' && /buffering timed out/.test(message ?? ''));
}

/**
 * A body still arriving when the answer is sent (an upload refused at its limit): it is read
 * and dropped for a few seconds, then the connection is cut. Closing at once would reset the
 * connection under a client still sending, and it could lose the answer.
 */
const DISCARD_MS = 5000;
function discardRestOfBody(req: Request, res: Response): void {
  res.once('finish', () => {
    const cut = setTimeout(() => req.socket?.destroy(), DISCARD_MS);
    req.once('end', () => clearTimeout(cut));
    req.resume();
  });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (!appError) {
      logger.error({ err: error, reqId: req.id }, 'unexpected error');
    }
    const rendered = appError ?? new AppError(500, 'internal', 'Erreur interne du serveur. Réessayez plus tard.');
    if (res.headersSent) return res.end();
    if (!req.complete) discardRestOfBody(req, res);
    res.status(rendered.status).json({
      error: { ...rendered.details, code: rendered.code, message: rendered.message, ...(rendered.field ? { field: rendered.field } : {}) },
    });
  };
}
