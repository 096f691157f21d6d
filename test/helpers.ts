import http, { type Server } from 'node:http';
import mongoose from 'mongoose';
import { loadReferenceData } from '../fixtures/index.js';
import { defineJobs } from '../jobs/index.js';
import { createApp } from '../server/app.js';
import { httpServerFor } from '../server/lib/http-server.js';
import type { AppContext } from '../server/context.js';
import { loadConfig, type Config } from '../server/lib/config.js';
import { UPLOAD_HEADER, UPLOAD_HEADER_VALUE } from '../server/lib/same-origin.js';
import { createLogger } from '../server/lib/logger.js';
import { createScheduler } from '../server/lib/scheduler.js';
import { openSession, SESSION_COOKIE } from '../server/users/auth.service.js';
import type { Role } from '../server/users/user.model.js';
import { createUser } from '../server/users/user.service.js';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const TEST_PASSWORD = 'un mot de passe de test';

/** Empties every collection (indexes stay) and reloads the reference data. */
export async function resetDatabase(): Promise<void> {
  const db = mongoose.connection.db!;
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(collections.filter((c) => !c.name.startsWith('system.')).map((c) => db.collection(c.name).deleteMany({})));
  await loadReferenceData();
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    MONGODB_URI: process.env.TEST_MONGODB_URI,
    SECRET: TEST_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://maillage.test',
    DATA_DIR: process.env.TEST_DATA_DIR!,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
}

export type TestServer = { url: string; ctx: AppContext; close(): Promise<void> };

/** The real app on a free port, sharing the test run's database connection. */
export async function startTestServer(options: { env?: Record<string, string>; jobs?: boolean; logTo?: { write(line: string): void } } = {}): Promise<TestServer> {
  const config = testConfig(options.env);
  const logger = createLogger(options.logTo ? 'info' : config.logLevel, options.logTo);
  const scheduler = createScheduler(mongoose.connection.db as never, logger, { processEvery: 200 });
  await scheduler.agenda.ready; // its index creation must not be cut off by an early stop
  const ctx: AppContext = { config, logger, scheduler };
  defineJobs(ctx);
  if (options.jobs) await scheduler.start();
  const server: Server = await new Promise((resolve) => {
    const s = httpServerFor(createApp(ctx)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    ctx,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (options.jobs) await scheduler.stop();
    },
  };
}

export type Reply<T = any> = { status: number; body: T; headers: Headers; text: string; bytes: Buffer };

/** A tiny HTTP client that keeps the session cookie, like a browser would. */
export class Client {
  cookie: string | undefined;
  constructor(
    readonly baseUrl: string,
    /** Sent with every request (e.g. the X-Forwarded-For of a visitor). */
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...this.defaultHeaders, ...headers }, redirect: 'manual' };
    if (this.cookie) (init.headers as Record<string, string>).cookie = this.cookie;
    if (body instanceof FormData) {
      (init.headers as Record<string, string>)[UPLOAD_HEADER] = UPLOAD_HEADER_VALUE; // as the admin's uploads
      init.body = body;
    } else if (body instanceof URLSearchParams || typeof body === 'string') {
      init.body = body;
    } else if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(this.baseUrl + path, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie?.startsWith(`${SESSION_COOKIE}=`)) this.cookie = setCookie.split(';')[0];
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes); // as response.text(): UTF-8, BOM dropped
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers, text, bytes };
  }
  get = <T = any>(path: string, headers?: Record<string, string>) => this.request<T>('GET', path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', path, body, headers);
  put = <T = any>(path: string, body?: unknown) => this.request<T>('PUT', path, body);
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);
}

let visitorCounter = 0;

/** A public visitor from an address of its own (X-Forwarded-For, trusted from loopback): rate limits start afresh. */
export function newVisitor(server: { url: string }): Client {
  visitorCounter++;
  return new Client(server.url, { 'x-forwarded-for': `198.51.${Math.floor(visitorCounter / 250) % 250}.${(visitorCounter % 250) + 1}` });
}

let userCounter = 0;

/** A user of the given role and a client already logged in as them (no HTTP login, so no rate limit). */
export async function clientAs(server: { url: string }, role: Role): Promise<{ client: Client; user: { id: string; email: string } }> {
  const email = `${role}-${++userCounter}-${Date.now()}@test.maillage.fr`;
  await createUser({ email, name: `Test ${role}`, role, password: TEST_PASSWORD });
  const session = await openSession(email, TEST_PASSWORD);
  const client = new Client(server.url);
  client.cookie = `${SESSION_COOKIE}=${session!.token}`;
  return { client, user: { id: String(session!.user._id), email } };
}

/** `GET /api/x?filter=...` with the ra-data-simple-rest parameters encoded. */
export function listPath(resource: string, params: { filter?: unknown; sort?: [string, string]; range?: [number, number] } = {}): string {
  const search = new URLSearchParams();
  if (params.filter) search.set('filter', JSON.stringify(params.filter));
  if (params.sort) search.set('sort', JSON.stringify(params.sort));
  if (params.range) search.set('range', JSON.stringify(params.range));
  const query = search.toString();
  return `/api/${resource}${query ? `?${query}` : ''}`;
}

/**
 * A multipart upload sent in 64 KiB chunks, paced, as a slow client would; it stops sending
 * when the answer arrives. `announce`: a Content-Length header (else chunked); `passedLimitAt`:
 * when more than `limitBytes` had been sent.
 */
export function slowUpload(url: string, cookie: string, options: { limitBytes: number; totalBytes: number; announce?: number }) {
  const boundary = 'robustesse';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="gros.csv"\r\nContent-Type: text/csv\r\n\r\nCourriel;Nom\r\n`);
  const line = Buffer.from('personne@exemple.fr;Nom\r\n'.repeat(2600)); // ~64 KiB
  return new Promise<{ status: number; body: string; sentBytes: number; passedLimitAt?: number; answeredAt: number }>((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie, [UPLOAD_HEADER]: UPLOAD_HEADER_VALUE };
    if (options.announce) headers['content-length'] = options.announce;
    const req = http.request(url, { method: 'POST', headers });
    let sentBytes = 0;
    let passedLimitAt: number | undefined;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const answeredAt = Date.now();
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, sentBytes, passedLimitAt, answeredAt }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.write(head);
    const send = () => {
      if (answered || sentBytes >= options.totalBytes) return;
      sentBytes += line.length;
      if (!passedLimitAt && sentBytes > options.limitBytes) passedLimitAt = Date.now();
      if (req.write(line)) setTimeout(send, 5);
      else req.once('drain', send);
    };
    send();
  });
}
