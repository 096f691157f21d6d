/**
 * Reads started before the app's code has even loaded (by the first paint, firstPaint/), kept
 * for the app's first identical read, by URL: the app takes the answer instead of asking again.
 * The first paint and the app are two bundles, so the reads live on `window`. An answer is kept
 * 10 s at most, and never across a write (logging in is one).
 */

/** What `fetchUtils.fetchJson` answers, for a read that succeeded with JSON. */
export type EarlyAnswer = { status: number; headers: Headers; body: string; json: unknown };

/** `answer` is undefined when the read failed, was refused (signed out...) or was not JSON. */
type EarlyRead = { answer: Promise<EarlyAnswer | undefined>; arrived?: EarlyAnswer; at: number };
type EarlyStore = Map<string, EarlyRead>;

export const API_URL = '/api';
/** Who is logged in (the auth provider's read, and the first paint's first). */
export const IDENTITY_PATH = '/auth/me';

const KEEP_MS = 10_000;

declare global {
  interface Window {
    maillageEarlyReads?: EarlyStore;
  }
}

const store = (): EarlyStore => (window.maillageEarlyReads ??= new Map());

/** The headers of every API read (the API requires X-Requested-With of uploads; reads carry it too). */
export const READ_HEADERS = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };

/** Starts a GET of `url` now, on the session cookie, for the app to take later; resolves to its JSON, or undefined. */
export function readEarly(url: string): Promise<unknown> {
  const answer = fetch(url, { headers: READ_HEADERS, credentials: 'same-origin' }).then(async (reply) => {
    const body = await reply.text();
    return reply.ok ? { status: reply.status, headers: reply.headers, body, json: JSON.parse(body) as unknown } : undefined;
  });
  const read: EarlyRead = { answer: answer.catch(() => undefined), at: Date.now() };
  store().set(url, read);
  return read.answer.then((arrived) => {
    if (arrived) read.arrived = arrived;
    else if (store().get(url) === read) store().delete(url); // the app asks again, once it can
    return arrived?.json;
  });
}

const fresh = (read: EarlyRead) => Date.now() - read.at < KEEP_MS;

/**
 * The early read of `url` if there is one, taken (a second read asks the API). It resolves to
 * undefined when the read did not succeed: the caller then asks the API itself.
 */
export function takeEarlyRead(url: string): Promise<EarlyAnswer | undefined> | undefined {
  const read = store().get(url);
  if (!read) return undefined;
  store().delete(url);
  return fresh(read) ? read.answer : undefined;
}

/** The early answer's JSON when it has already come (without taking it): a screen's first render can show it. */
export function arrivedEarly<T>(url: string): T | undefined {
  const read = store().get(url);
  return read && fresh(read) ? (read.arrived?.json as T | undefined) : undefined;
}

/** A write makes every answer read before it stale. */
export function forgetEarlyReads(): void {
  store().clear();
}
