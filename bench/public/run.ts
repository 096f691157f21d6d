/**
 * bench/public: a crowd on the public pages. The app runs as in production (`NODE_ENV=production`,
 * its own process, JOBS=off, info logs) on a fresh embedded FerretDB holding 24 sent issues,
 * mail going to a local SMTP sink. autocannon drives 50 connections for 30 s per target, from
 * distinct client addresses (X-Forwarded-For, trusted from loopback; five requests per address):
 * GET /lettres, GET /lettres/:slug, GET /abonnement, POST /abonnement (a new address each). Then
 * one address posts the form 11 times: the 11th must get 429 (the limit still holds).
 * Targets: archive ≥ 500 req/s with p99 < 100 ms, GET /abonnement ≥ 300 req/s, POST ≥ 100 req/s.
 * Last lines: `name=value` (requests/s, p50/p99 ms, non-2xx, CPU ms per request per target; cpu_seconds_<role> and
 * cpu_seconds_total of server + database; peak_rss_mb of server and database, from /proc).
 *
 *   npx tsx bench/public/run.ts [--seconds 30] [--connections 50]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadReferenceData } from '../../fixtures/index.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { startBenchApp } from '../lib/app.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 30);
const CONNECTIONS = arg('connections', 50);
const ISSUES = 24;

const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-public-'));
const db = await startFerretdb({ storage: { kind: 'sqlite', dir: path.join(dir, 'db') }, database: 'bench_public', log: () => {} });
await connectDatabase(db.uri);
await loadReferenceData();
await seedArchive();
await disconnectDatabase();

const sink = fork(path.join(import.meta.dirname, '../send/sink.ts'), { execArgv: ['--import', 'tsx'] });
const smtpPort = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const app = await startBenchApp({ mongodbUri: db.uri, smtpPort, dir });
const meter = new ProcessMeter({ server: app.pid, database: db.process.pid });

let address = 0;
/** Five requests per client address, then a new one (10.x.y.z). */
const nextAddress = () => {
  const n = Math.floor(address++ / 5);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};
const slugs = Array.from({ length: ISSUES }, (_, i) => slugOf(i));
let posted = 0;

const figures: Record<string, number> = {};
await load('lettres', { method: 'GET', path: '/lettres' });
await load('lettre', { method: 'GET', path: `/lettres/${slugs[0]}`, setup: (req) => ({ ...req, path: `/lettres/${slugs[address % ISSUES]}` }) });
await load('abonnement_get', { method: 'GET', path: '/abonnement' });
await load('abonnement_post', {
  method: 'POST',
  path: '/abonnement',
  setup: (req) => {
    const n = posted++;
    const body = new URLSearchParams({ email: `foule-${n}@bench.example`, firstName: 'Camille', lists: 'lettre-mensuelle' }).toString();
    return { ...req, body, headers: { ...req.headers, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `172.16.${(n >> 8) & 255}.${n & 255}` } };
  },
});
figures.abonnement_post_limit_enforced = (await limitHolds()) ? 1 : 0;

const measured = meter.stop();
app.kill('SIGTERM');
sink.kill();
await db.stop();
rmSync(dir, { recursive: true, force: true });
printFigures({ ...figures, ...measured.fields({ peakOf: ['server', 'database'] }) });

type Request = { method: string; path: string; headers?: Record<string, string>; body?: string };

async function load(name: string, target: { method: string; path: string; setup?: (req: Request) => Request }): Promise<void> {
  const phase = new ProcessMeter({ server: app.pid, database: db.process.pid });
  const result = await autocannon({
    url: app.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: target.method,
        path: target.path,
        setupRequest: (req: Request) => {
          const withAddress = { ...req, headers: { ...req.headers, 'x-forwarded-for': nextAddress() } };
          return target.setup ? target.setup(withAddress) : withAddress;
        },
      },
    ],
  });
  figures[`${name}_requests_per_second`] = Math.round(result.requests.average);
  figures[`${name}_p50_ms`] = result.latency.p50;
  figures[`${name}_p99_ms`] = result.latency.p99;
  figures[`${name}_non_2xx`] = result.non2xx + result.errors;
  // CPU per request (server + database): what the figure would be on a machine of one's own.
  const cpu = phase.stop().fields().cpu_seconds_total;
  figures[`${name}_cpu_ms_per_request`] = Math.round((cpu * 1000 * 100) / Math.max(1, result.requests.total)) / 100;
  console.log(`${name}: ${figures[`${name}_requests_per_second`]} req/s, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** One address posting the form 11 times: ten answers, then 429. */
async function limitHolds(): Promise<boolean> {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const body = new URLSearchParams({ email: `meme-adresse-${i}@bench.example`, lists: 'lettre-mensuelle' });
    const reply = await fetch(`${app.url}/abonnement`, { method: 'POST', body, headers: { 'x-forwarded-for': '192.0.2.1' } });
    statuses.push(reply.status);
  }
  console.log(`one address, 11 posts: ${statuses.join(' ')}`);
  return statuses.slice(0, 10).every((s) => s === 200) && statuses[10] === 429;
}

function slugOf(i: number) {
  return `lettre-${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

async function seedArchive() {
  const paragraph = '<p>Les acteurs de la promotion de la santé se sont réunis à Saint-Denis : ateliers santé ville, contrats locaux de santé.</p>';
  await Newsletter.insertMany(
    Array.from({ length: ISSUES }, (_, i) => ({
      month: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
      slug: slugOf(i),
      title: `Lettre n° ${i + 1}`,
      status: 'sent',
      content: { subject: `Lettre n° ${i + 1}`, html: '<p>.</p>', text: '.' },
      webHtml: `<!doctype html><html lang="fr"><body>${paragraph.repeat(400)}</body></html>`, // ~50 KB, a real issue
      sections: [{ label: 'Actualités', count: 12 }],
      compiledAt: new Date(),
      sentAt: new Date(),
    })),
  );
}
