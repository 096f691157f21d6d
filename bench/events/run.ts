/**
 * bench/events: a burst of registrations on one event's public page. The app runs as in
 * production (`NODE_ENV=production`, its own process, JOBS=off) on a fresh embedded FerretDB,
 * mail going to a local SMTP sink. 1,000 registrations are posted through POST
 * /rencontres/:slug, `--concurrency` at a time, each from its own client address
 * (X-Forwarded-For, trusted from loopback), for an event of 600 places. Then the database is
 * read back: none lost (1,000 registrations, one per address), none duplicated, capacity never
 * exceeded (600 confirmed holding 600 seats, 400 on the waiting list), and
 * every registrant e-mailed once. Last lines: `name=value` (p50/p99 ms, registrations/s,
 * checks, cpu_seconds_<role> and cpu_seconds_total of server + database, peak_rss_mb).
 *
 *   npx tsx bench/events/run.ts [--registrations 1000] [--capacity 600] [--concurrency 100]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadReferenceData } from '../../fixtures/index.js';
import { EventSeat, Registration } from '../../server/events/event.model.js';
import { createEvent } from '../../server/events/event.service.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { parisDay } from '../../server/lib/paris-time.js';
import { startBenchApp } from '../lib/app.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REGISTRATIONS = arg('registrations', 1000);
const CAPACITY = arg('capacity', 600);
const CONCURRENCY = arg('concurrency', 100);

const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-events-'));
const db = await startFerretdb({ storage: { kind: 'sqlite', dir: path.join(dir, 'db') }, database: 'bench_events', log: () => {} });
await connectDatabase(db.uri);
await loadReferenceData();
const day = parisDay(new Date(Date.now() + 40 * 24 * 3600_000));
const event = await createEvent({ title: 'Rencontre nationale (bench)', kind: 'rencontre-nationale', start: `${day}T09:30`, end: `${day}T17:00`, place: 'Paris', capacity: CAPACITY });

const sink = fork(path.join(import.meta.dirname, '../send/sink.ts'), { execArgv: ['--import', 'tsx'] });
const smtpPort = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
let errorsShown = 0;
const app = await startBenchApp({ mongodbUri: db.uri, smtpPort, dir, onError: (line) => errorsShown++ < 5 && process.stderr.write(`${line.slice(0, 2000)}\n`) }); // errors of the burst stay visible
const meter = new ProcessMeter({ server: app.pid, database: db.process.pid });

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const latencies: number[] = [];
const statuses = new Map<number, number>();
let next = 0;
const started = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
const elapsed = (Date.now() - started) / 1000;
const received = await mailsReceived(REGISTRATIONS, 120_000);
const measured = meter.stop();

const rows = await Registration.find({ event: event.id }, { email: 1, status: 1 }).lean();
const confirmed = rows.filter((r) => r.status === 'registered');
const waitlisted = rows.filter((r) => r.status === 'waiting');
const seats = await EventSeat.countDocuments({ event: event.id });
latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];

agent.destroy();
app.kill('SIGTERM');
sink.kill();
await disconnectDatabase();
await db.stop();
rmSync(dir, { recursive: true, force: true });

console.log(`statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}; ${rows.length} registrations, ${confirmed.length} confirmed, ${waitlisted.length} waiting, ${seats} seats, ${received} e-mails`);
printFigures({
  registrations_posted: REGISTRATIONS,
  registrations_per_second: Math.round((REGISTRATIONS / elapsed) * 10) / 10,
  register_p50_ms: quantile(0.5),
  register_p99_ms: quantile(0.99),
  non_200: REGISTRATIONS - (statuses.get(200) ?? 0),
  lost: REGISTRATIONS - rows.length,
  duplicated: rows.length - new Set(rows.map((r) => r.email)).size,
  confirmed: confirmed.length,
  waitlisted: waitlisted.length,
  capacity_exceeded: confirmed.length > CAPACITY || seats !== confirmed.length ? 1 : 0,
  emails_received: received,
  ...measured.fields({ peakOf: ['server', 'database'] }),
});

async function worker(): Promise<void> {
  for (let n = next++; n < REGISTRATIONS; n = next++) {
    const body = new URLSearchParams({ email: `inscrit-${n}@bench.example`, firstName: 'Camille', lastName: `Inscrite ${n}`, organisationName: 'Ville', organisationType: 'commune', territory: '93200' });
    const t0 = performance.now();
    const status = await post(`/rencontres/${event.slug}`, body.toString(), `10.9.${(n >> 8) & 255}.${n & 255}`);
    latencies.push(Math.round(performance.now() - t0));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
}

/** A form post over node:http (no client-side timeout: a slow answer is measured, not dropped). */
function post(pathname: string, body: string, clientAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(pathname, app.url), {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': clientAddress },
    });
    request.on('response', (response) => response.resume().on('end', () => resolve(response.statusCode ?? 0)));
    request.on('error', reject);
    request.end(body);
  });
}

async function mailsReceived(expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    sink.send({ type: 'count' });
    const { received } = await new Promise<{ received: number }>((resolve) => sink.once('message', resolve));
    if (received >= expected || Date.now() > deadline) return received;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
