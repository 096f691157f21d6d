import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { httpServerFor } from '../../server/lib/http-server.js';
import { createLogger } from '../../server/lib/logger.js';
import { requestLog } from '../../server/lib/request-log.js';

/** Log lines written by a real pino logger at `level`, parsed. */
function capturedLogger(level: string) {
  const lines: Array<Record<string, any>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, destination), lines };
}

/** Serves `app` through httpServerFor while `use` runs. */
async function withServer(app: express.Express, use: (url: string) => Promise<void>): Promise<void> {
  const server: Server = httpServerFor(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

const until = async (holds: () => boolean) => {
  for (let i = 0; i < 100 && !holds(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('the HTTP server and its request log', () => {
  it("creates requests and responses with the app's prototypes, and Express answers through them", async () => {
    const app = express();
    app.get('/prototypes', (req, res) => {
      res.json({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response, path: req.path, query: req.query });
    });
    await withServer(app, async (url) => {
      const reply = await fetch(`${url}/prototypes?territoire=69`);
      expect(reply.status).to.equal(200);
      expect(await reply.json()).to.deep.equal({ request: true, response: true, path: '/prototypes', query: { territoire: '69' } });
    });
  });

  it('logs one line per request when it ends: id, method, path without query or token, status, time; the level follows the status', async () => {
    const { logger, lines } = capturedLogger('info');
    const app = express();
    app.use(requestLog(logger));
    app.get('/ok', (_req, res) => res.json({ ok: true }));
    app.get('/boom', (_req, res) => res.status(500).json({}));
    await withServer(app, async (url) => {
      const ok = await fetch(`${url}/ok?email=helene.martin@exemple.fr`, { headers: { 'x-request-id': 'demande-1' } });
      expect(ok.headers.get('x-request-id')).to.equal('demande-1');
      const missing = await fetch(`${url}/desinscription/${'a'.repeat(20)}.${'b'.repeat(20)}`);
      expect(missing.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      await fetch(`${url}/boom`);
      await until(() => lines.length === 3);
      expect(lines.map((line) => [line.level, line.req.method, line.req.url, line.res.statusCode, line.msg])).to.deep.equal([
        [30, 'GET', '/ok', 200, 'request completed'],
        [40, 'GET', '/desinscription/:token', 404, 'request completed'],
        [50, 'GET', '/boom', 500, 'request completed'],
      ]);
      expect(lines[0].req.id).to.equal('demande-1');
      expect(lines[0].responseTime).to.be.a('number');
      expect(JSON.stringify(lines)).not.to.include('helene');
    });
  });

  it('writes nothing for a request below the logged level, and an error line for a client gone before the answer', async () => {
    const { logger, lines } = capturedLogger('warn');
    const app = express();
    app.use(requestLog(logger));
    app.get('/ok', (_req, res) => res.json({ ok: true }));
    app.get('/slow', (_req, res) => void setTimeout(() => res.end(), 300));
    await withServer(app, async (url) => {
      await fetch(`${url}/ok`);
      const gone = new AbortController();
      const request = fetch(`${url}/slow`, { signal: gone.signal }).catch(() => undefined);
      setTimeout(() => gone.abort(), 50);
      await request;
      await until(() => lines.length === 1);
      expect(lines.map((line) => [line.level, line.req.url, line.msg])).to.deep.equal([[50, '/slow', 'request aborted']]);
    });
  });
});
