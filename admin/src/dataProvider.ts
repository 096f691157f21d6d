import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils, HttpError, type DataProvider } from 'react-admin';
import { API_URL, forgetEarlyReads, READ_HEADERS, takeEarlyRead } from './common/earlyReads';

export { API_URL };

type ApiErrorBody = { error?: { code?: string; message?: string; field?: string } };

/**
 * fetchJson on the session cookie, turning the API's `{"error":{"message","field"}}` into the
 * error react-admin shows: the French message, and the field's message next to its input.
 * Every call carries `X-Requested-With`, which the API requires of uploads (its CSRF guard,
 * server/lib/same-origin.ts); other writes are JSON. A read the first paint started is taken
 * rather than asked again (common/earlyReads.ts).
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
  const reading = !options.method || options.method === 'GET';
  if (!reading) forgetEarlyReads();
  const early = reading ? takeEarlyRead(url) : undefined;
  const answer = early && (await early);
  if (answer) return answer;
  const headers = new Headers(options.headers ?? READ_HEADERS);
  headers.set('X-Requested-With', READ_HEADERS['X-Requested-With']); // also beside a caller's own headers
  return fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' }).catch((error: unknown) => {
    throw toHttpError(error);
  });
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
