import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils, HttpError, type DataProvider } from 'react-admin';

export const API_URL = '/api';

type ApiErrorBody = { error?: { code?: string; message?: string; field?: string } };

/**
 * fetchJson on the session cookie, turning the API's `{"error":{"message","field"}}` into the
 * error react-admin shows: the French message, and the field's message next to its input.
 * Every call carries `X-Requested-With`, which the API requires of uploads (its CSRF guard,
 * server/lib/same-origin.ts); other writes are JSON.
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
  const reading = !options.method || options.method === 'GET';
  if (!reading) earlyReads.clear(); // a read begun before a write must not answer for after it
  const early = reading ? earlyReads.get(url) : undefined;
  if (early) {
    earlyReads.delete(url);
    return early;
  }
  const headers = new Headers(options.headers ?? { Accept: 'application/json' });
  headers.set('X-Requested-With', 'XMLHttpRequest');
  const request = fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' }).catch((error: unknown) => {
    throw toHttpError(error);
  });
  if (reading && startingEarly) {
    const forget = () => earlyReads.get(url) === request && earlyReads.delete(url);
    earlyReads.set(url, request);
    request.catch(forget); // refused (signed out, ...): the screen asks again once it can
    setTimeout(forget, 10_000);
  }
  return request;
}

/**
 * Reads started before the screen that needs them is drawn (`readEarly`), by URL: the screen's
 * first identical read takes the answer instead of asking again (within 10 s, before any write:
 * logging in is one).
 */
const earlyReads = new Map<string, ReturnType<typeof fetchUtils.fetchJson>>();
let startingEarly = false;

/** Runs `start`, whose reads (made through this client, synchronously) are kept for the screen about to ask them. */
export function readEarly(start: () => void): void {
  startingEarly = true;
  try {
    start();
  } finally {
    startingEarly = false;
  }
}

function toHttpError(error: unknown): unknown {
  if (!(error instanceof HttpError)) return error;
  const body = error.body as ApiErrorBody | undefined;
  const message = body?.error?.message;
  if (!message) return error;
  const field = body?.error?.field;
  const errors = field ? { [field]: message, root: { serverError: message } } : { root: { serverError: message } };
  return new HttpError(message, error.status, { ...body, errors });
}

/** A JSON call outside the REST convention (merge, import steps, newsletter actions...). */
export async function callApi<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const body = init.body === undefined || init.body instanceof FormData ? (init.body as FormData | undefined) : JSON.stringify(init.body);
  const { json } = await httpClient(`${API_URL}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), body });
  return json as T;
}

/** The stock ra-data-simple-rest provider plus the few custom calls of the API. */
export const dataProvider = {
  ...simpleRestProvider(API_URL, httpClient),
  call: callApi,
} satisfies DataProvider;

export type MaillageDataProvider = typeof dataProvider;
