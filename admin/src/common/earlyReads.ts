/**
 * Reads started before the app's code has even loaded (by the first paint, firstPaint.ts), kept
 * for the app's first identical read, by URL: the app takes the answer instead of asking again.
 * The first paint and the app are two bundles, so the reads live on `window`. An answer is kept
 * 10 s at most, and never across a write (logging in is one).
 */
export type EarlyAnswer = { status: number; headers: Headers; body: string };

type EarlyRead = { answer: Promise<EarlyAnswer>; json?: unknown; at: number };
type EarlyStore = Map<string, EarlyRead>;

export const API_URL = '/api';

const KEEP_MS = 10_000;

declare global {
  interface Window {
    maillageEarlyReads?: EarlyStore;
  }
}

const store = (): EarlyStore => (window.maillageEarlyReads ??= new Map());

/** The headers of every API read (the API requires X-Requested-With of uploads; reads carry it too). */
export const READ_HEADERS = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };

/** Starts a GET of `url` now, on the session cookie, for the app to take later. */
export function readEarly(url: string): Promise<EarlyAnswer> {
  const answer = fetch(url, { headers: READ_HEADERS, credentials: 'same-origin' }).then(async (reply) => ({ status: reply.status, headers: reply.headers, body: await reply.text() }));
  const read: EarlyRead = { answer, at: Date.now() };
  store().set(url, read);
  answer.then(
    ({ status, body }) => {
      if (succeeded(status)) read.json = JSON.parse(body);
      else forget(url, read); // refused (signed out...): the app asks again once it can
    },
    () => forget(url, read),
  );
  return answer;
}

const succeeded = (status: number) => status >= 200 && status < 300;
const fresh = (read: EarlyRead) => Date.now() - read.at < KEEP_MS;

function forget(url: string, read: EarlyRead): void {
  if (store().get(url) === read) store().delete(url);
}

/**
 * The early read of `url` if there is one, taken (a second read asks the API). It resolves to
 * undefined when the read failed or was refused: the caller then asks the API itself.
 */
export function takeEarlyRead(url: string): Promise<EarlyAnswer | undefined> | undefined {
  const read = store().get(url);
  if (!read) return undefined;
  store().delete(url);
  if (!fresh(read)) return undefined;
  return read.answer.then(
    (answer) => (succeeded(answer.status) ? answer : undefined),
    () => undefined,
  );
}

/** The early answer's JSON when it has already come (without taking it): a screen's first render can show it. */
export function arrivedEarly<T>(url: string): T | undefined {
  const read = store().get(url);
  return read && fresh(read) ? (read.json as T | undefined) : undefined;
}

/** A write makes every answer read before it stale. */
export function forgetEarlyReads(): void {
  store().clear();
}
