/**
 * bench/contacts: 100,000 generated contacts (French names, real communes weighted by
 * population, themes, functions, organisations, a third subscribed to the monthly letter) in
 * a fresh embedded database (FerretDB over SQLite), served by the real app in a child process.
 * Measures the cold start of the app (first contact page answered, from nothing then from the
 * stored copy of the index), then, under a concurrent load (20 connections, 30 s each), the
 * first page filtered by territory and theme, and by list; a segment's live count (50 runs)
 * and two searches; the server's RSS, and CPU seconds of every process. Ends with name=value lines.
 *
 *   npx tsx bench/contacts/run.ts [--contacts 100000] [--runs 50] [--seconds 30] [--connections 20]
 *   (MONGODB_URI=... to use an existing server instead of a fresh FerretDB)
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose, { Types } from 'mongoose';
import { createLogger } from '../../server/lib/logger.js';
import { runMigrations } from '../../server/ops/migration.service.js';
import { loadReferenceData } from '../../fixtures/index.js';
// Benchmarks seed the database directly (the app's code may not: test/architecture/contact-store.test.ts).
import { Contact } from '../../server/contacts/contact.model.js';
import { List } from '../../server/lists/list.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';
import { bundleServer } from '../../scripts/build.js';
import { deriveContactFields } from '../../server/contacts/contact.service.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { findFreePort, startFerretdb } from '../../server/lib/ferretdb.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { Segment } from '../../server/segments/segment.model.js';
import { loadGeography } from '../../server/territories/territory.data.js';
import { territoryScope } from '../../server/territories/territory.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import { openSession, SESSION_COOKIE } from '../../server/users/auth.service.js';
import { createUser } from '../../server/users/user.service.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONTACTS = arg('contacts', 100_000);
const RUNS = arg('runs', 50);
const SECONDS = arg('seconds', 30);
const CONNECTIONS = arg('connections', 20);
const ORGANISATIONS = Math.max(50, Math.round(CONTACTS / 50));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const FIRST = `Hélène Marie Nathalie Isabelle Sylvie Catherine Sophie Christine Valérie Sandrine Céline Julie Camille Léa Chloé Manon Inès
Aïcha Fatou Samia Nadia Élodie Émilie Zoé Anaïs Laure Claire Anne Lucie Agnès Jean Pierre Michel Philippe Nicolas François Thomas Julien
Antoine Hugo Lucas Karim Mehdi Rachid Yannick Olivier Benoît Guillaume Jérôme Stéphane Sébastien Frédéric Noël Loïc Mathieu Rémi Théo`.split(/\s+/);
const LAST = `Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèbvre Lefèvre Michel Garcia David Bertrand
Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin
Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sánchez Gérard Nguyen
Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour Blanchard Barbier Brun
Dumas Brunet Schmitt Leroux Colin Fernandez Benali Haddad Cherif Bouzid Diallo Traoré Hoarau Payet Amrani Belkacem Nguyễn Çelik`.split(/\s+/);

/** A deterministic pseudo-random generator (mulberry32): the same base every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20261122);
const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)];
const some = <T>(items: readonly T[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(items)))];
const slug = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Communes drawn in proportion to their population (cumulative weights, binary search). */
function communeSampler() {
  const communes = loadGeography().all.filter((t) => t.kind === 'commune' && (t.population ?? 0) > 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const c of communes) cumulative.push((sum += c.population!));
  return () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return communes[lo];
  };
}

async function generate(): Promise<void> {
  const commune = communeSampler();
  const themes = (await Theme.find({}, { _id: 1 }).lean()).map((t) => t._id);
  const vocab = async (kind: string): Promise<string[]> => (await Vocabulary.find({ kind: kind as never }, { code: 1 }).lean()).map((v) => v.code);
  const [functions, dispositifs, organisationTypes] = [await vocab('functions'), await vocab('dispositifs'), await vocab('organisationTypes')];
  const letter = (await List.findOne({ code: 'lettre-mensuelle' }, { _id: 1 }).lean())!._id;

  const organisations = Array.from({ length: ORGANISATIONS }, (_, i) => {
    const place = commune();
    const type = pick(organisationTypes);
    const name = `${type === 'commune' ? 'Ville de' : type === 'association-locale' ? 'Association santé de' : 'Structure'} ${place.name} ${i}`;
    return { _id: new Types.ObjectId(), name, type, territory: place.id, territoryScope: territoryScope([place.id]), searchText: slug(name).replace(/-/g, ' ') };
  });
  await Organisation.collection.insertMany(organisations as never[]);

  const started = Date.now();
  for (let offset = 0; offset < CONTACTS; offset += 1000) {
    const batch = [];
    for (let i = offset; i < Math.min(CONTACTS, offset + 1000); i++) {
      const [firstName, lastName] = [pick(FIRST), pick(LAST)];
      const place = commune();
      const mine = some(organisations, 2);
      const contact = await deriveContactFields(
        {
          firstName,
          lastName,
          email: `${slug(firstName)}.${slug(lastName)}.${i}@exemple-${i % 97}.fr`,
          emails: [] as string[],
          phones: [] as string[],
          function: pick(functions),
          organisations: mine.map((o) => o._id),
          dispositifs: rnd() < 0.4 ? some(dispositifs, 2) : [],
          themes: some(themes, 3),
          territories: rnd() < 0.1 ? [place.id, 'qualite-qpv'] : [place.id],
          notes: '',
          source: 'bench',
          createdAt: new Date(),
          updatedAt: new Date(),
        },
        mine,
      );
      batch.push({ ...contact, _id: new Types.ObjectId() });
    }
    await Contact.collection.insertMany(batch, { ordered: false });
    const subscribed = batch.filter((_, i) => (offset + i) % 3 === 0);
    await Subscription.collection.insertMany(
      subscribed.map((c) => ({ contact: c._id, list: letter, status: 'subscribed', source: 'import', consent: { at: new Date(), source: 'import' }, createdAt: new Date(), updatedAt: new Date() })),
      { ordered: false },
    );
    if ((offset / 1000) % 20 === 19) console.log(`  ${offset + 1000} contacts inserted (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}

/** autocannon: `CONNECTIONS` connections asking for `url` back to back for `SECONDS`: throughput and latency percentiles. */
async function load(url: string, cookie: string, processes: Record<string, number | undefined>) {
  const target = new URL(url);
  const phase = new ProcessMeter(processes); // CPU from now: the figure that carries over to a machine of one's own
  const result = await autocannon({
    url: target.origin,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'GET', path: target.pathname + target.search, headers: { cookie } }],
  });
  const total = (await fetch(url, { headers: { cookie } })).headers.get('content-range')?.split('/')[1] ?? '?';
  const cpu = phase.stop().fields().cpu_seconds_total;
  const cpuPerRequest = (cpu * 1000) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts, total, cpuPerRequest };
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    try {
      await fetch(`${url}/api/health`); // 503 is fine: no scheduler runs in this process (JOBS=off)
      return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server did not start');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(label: string, url: string, cookie: string, check: (body: unknown, headers: Headers) => string) {
  const times: number[] = [];
  let detail = '';
  for (let run = 0; run < RUNS + 3; run++) {
    const t = performance.now();
    const response = await fetch(url, { headers: { cookie } });
    const body = await response.json();
    const elapsed = performance.now() - t;
    if (!response.ok) throw new Error(`${label}: ${response.status} ${JSON.stringify(body)}`);
    if (run >= 3) times.push(elapsed); // 3 warm-up runs
    detail = check(body, response.headers);
  }
  times.sort((a, b) => a - b);
  return { label, median: percentile(times, 50), p95: percentile(times, 95), detail };
}

/** FerretDB runs under a guard shell: its pid is the shell's child. */
function childPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    return children.find((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('ferretdb'));
  } catch {
    return undefined;
  }
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-contacts-'));
  const ferretdb = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir: path.join(dir, 'db') }, database: 'bench' });
  const uri = process.env.MONGODB_URI ?? ferretdb!.uri;
  let server: ReturnType<typeof spawn> | undefined;
  const round1 = (n: number) => Math.round(n * 10) / 10;
  try {
    await connectDatabase(uri);
    // as the app does on start, while the base is still empty (they rewrite every contact)
    await runMigrations(mongoose.connection.db!, createLogger('silent'));
    await loadReferenceData();
    console.log(`Generating ${CONTACTS} contacts and ${ORGANISATIONS} organisations…`);
    const t = Date.now();
    await generate();
    console.log(`Generated in ${Math.round((Date.now() - t) / 1000)} s.`);

    const themes = new Map((await Theme.find({}, { code: 1 }).lean()).map((th) => [th.code, String(th._id)]));
    const segment = await Segment.create({
      name: 'Bench: santé mentale ou cadre de vie, Auvergne-Rhône-Alpes, coordinations',
      filter: { themes: [themes.get('sante-mentale'), themes.get('cadre-vie')], territories: ['region-84'], functions: ['coordo-asv', 'coordo-cls', 'coordo-clsm'] },
    });
    await createUser({ email: 'bench@maillage.test', name: 'Bench', role: 'staff', password: 'un banc d essai solide 2026' });
    const session = await openSession('bench@maillage.test', 'un banc d essai solide 2026');
    const cookie = `${SESSION_COOKIE}=${session!.token}`;

    const listId = String((await List.findOne({ code: 'lettre-mensuelle' }, { _id: 1 }).lean())!._id);
    const app = await bundleServer('main'); // as `npm start` runs it
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () =>
      // CPU_PROF_DIR=dir: a V8 CPU profile of each app process, written when it stops
      spawn(process.execPath, [...(process.env.CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : []), app], {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          MONGODB_URI: uri,
          PORT: String(port),
          HOST: '127.0.0.1',
          JOBS: 'off',
          DEMO_DATA: 'off',
          LOG_LEVEL: 'fatal',
          DATA_DIR: dir,
          SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    /** From the spawn to the first page of contacts answered. */
    const coldStart = async (onSpawn?: (pid: number) => void) => {
      const t = performance.now();
      server = start();
      onSpawn?.(server.pid!);
      await waitForHealth(url);
      // a full read of 100,000 contacts on a busy machine outlasts fetch's 300 s header timeout: ask again
      for (let tries = 0; ; tries++) {
        try {
          if ((await fetch(`${url}/api/contacts?range=[0,0]`, { headers: { cookie } })).ok) break;
        } catch (error) {
          if (tries >= 5) throw error;
        }
      }
      return (performance.now() - t) / 1000;
    };
    const coldStartFullRead = await coldStart(); // nothing stored yet: reads every contact, stores the copy
    // the copy is written in the background: wait for it (at most two minutes)
    for (let i = 0; i < 600 && !(await mongoose.connection.db!.collection('contact_index_snapshots').findOne({ _id: 'manifest' as never })); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    server!.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
    const meter = new ProcessMeter({ bench: process.pid, database: childPid(ferretdb?.process.pid) });
    const coldStartSeconds = await coldStart((pid) => meter.add('app', pid)); // a restart: from the stored copy, then the log

    const filter = (f: unknown) => encodeURIComponent(JSON.stringify(f));
    const total = (headers: Headers) => headers.get('content-range')?.split('/')[1] ?? '?';
    const page = (f: unknown) => `${url}/api/contacts?filter=${filter(f)}&sort=${filter(['sortName', 'ASC'])}&range=[0,24]`;
    const byTerritoryAndTheme = page({ territories: ['departement-69'], themes: [themes.get('sante-mentale')] });
    const byList = page({ lists: [listId], territories: ['region-84'] });
    const measured = { app: server!.pid, database: childPid(ferretdb?.process.pid) };
    const loads = {
      territory_theme: await load(byTerritoryAndTheme, cookie, measured),
      list: await load(byList, cookie, measured),
    };
    const sequential = [
      await measure('segment count', `${url}/api/segments/${segment._id}/count`, cookie, (body) => `${(body as { count: number }).count} contacts`),
      await measure('search "helene" (accents)', page({ q: 'helene' }), cookie, (body, headers) => `${total(headers)} matching, first: ${(body as { firstName: string }[])[0]?.firstName}`),
      await measure('search "lefevre saint" (2 words)', page({ q: 'lefevre saint' }), cookie, (_body, headers) => `${total(headers)} matching`),
    ];
    const figures = meter.stop().fields({ peakOf: ['app'] });

    console.log(`\n${CONTACTS} contacts. Under load (${CONNECTIONS} connections, ${SECONDS} s each), first page by name:`);
    console.log('| filter | requests/s | p50 (ms) | p99 (ms) | errors | matching | CPU ms / request (app + database) |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, l] of Object.entries(loads)) console.log(`| ${name} | ${l.rps.toFixed(0)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.errors} | ${l.total} | ${l.cpuPerRequest.toFixed(2)} |`);
    console.log(`\nAlone, ${RUNS} runs each (after 3 warm-up runs):`);
    console.log('| query | median (ms) | p95 (ms) | result |');
    console.log('|---|---|---|---|');
    for (const r of sequential) console.log(`| ${r.label} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.detail} |`);
    console.log(`\nCold start (spawn to first contact page): ${coldStartFullRead.toFixed(1)} s reading every contact, ${coldStartSeconds.toFixed(1)} s from the stored copy.`);
    const [segmentCount] = sequential;
    printFigures({
      contacts: CONTACTS,
      ...Object.fromEntries(
        Object.entries(loads).flatMap(([name, l]) => [
          [`${name}_requests_per_second`, Math.round(l.rps)],
          [`${name}_p50_ms`, round1(l.p50)],
          [`${name}_p99_ms`, round1(l.p99)],
          [`${name}_errors`, l.errors],
          [`${name}_cpu_ms_per_request`, Math.round(l.cpuPerRequest * 100) / 100],
        ]),
      ),
      segment_count_p95_ms: round1(segmentCount.p95),
      cold_start_full_read_seconds: round1(coldStartFullRead),
      cold_start_seconds: round1(coldStartSeconds),
      ...figures,
    });
  } finally {
    server?.kill('SIGTERM');
    await disconnectDatabase();
    await ferretdb?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
