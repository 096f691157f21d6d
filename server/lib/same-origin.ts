import type { Request, RequestHandler } from 'express';
import { AppError } from './errors.js';

/** The header the admin sends with its uploads; a cross-origin page cannot add it without a CORS preflight. */
export const UPLOAD_HEADER = 'x-requested-with';
export const UPLOAD_HEADER_VALUE = 'XMLHttpRequest';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const refused = (message: string) => new AppError(403, 'cross_site_request', message);

/**
 * CSRF guard of the staff API: a state-changing request must come from our own pages. It is
 * JSON (forms cannot send that cross-origin without a preflight) or, for uploads, multipart with
 * the admin's header; and a browser's `Sec-Fetch-Site`/`Origin` must name this very site —
 * `PUBLIC_URL` or the host the request was addressed to (the Vite dev proxy keeps it). Clients
 * that are not browsers send neither header and are judged on the content type alone.
 */
export function sameOriginWrites(publicUrl: string): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') throw refused('Requête refusée : elle ne vient pas de Maillage.');
    const origin = req.get('origin');
    if (origin !== undefined && !isOwnOrigin(origin, req, publicOrigin)) throw refused('Requête refusée : elle ne vient pas de Maillage.');
    if (hasBody(req) && !isAcceptedBody(req)) {
      throw refused('Requête refusée : le corps doit être du JSON (application/json).');
    }
    next();
  };
}

function isOwnOrigin(origin: string, req: Request, publicOrigin: string): boolean {
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false; // "null" (sandboxed frame, privacy redirect) or garbage
  }
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return length !== undefined ? length !== '0' : req.get('transfer-encoding') !== undefined;
}

function isAcceptedBody(req: Request): boolean {
  if (req.is('application/json')) return true;
  return Boolean(req.is('multipart/form-data')) && req.get(UPLOAD_HEADER) === UPLOAD_HEADER_VALUE;
}
