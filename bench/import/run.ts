/**
 * bench/import: generates a CSV of N contacts (French Excel shape: semicolons, CRLF, accents,
 * postal codes / départements / régions, two themes per row) and imports it into a fresh
 * embedded database (FerretDB over SQLite) through the same service functions as the API and
 * the job. Prints rows/s for the dry run, the commit of new rows, the dry run and commit of the
 * same file again (every row then matches an existing contact), and the process's peak RSS.
 *
 *   npx tsx bench/import/run.ts [--rows 100000]
 *   (MONGODB_URI=... to use an existing server instead of a fresh FerretDB)
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadReferenceData } from '../../fixtures/index.js';
import { createImport, requestCommit, runCommit, storeFile } from '../../server/imports/import.service.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { generateCsv } from './generate.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 100_000);
const MB = 1024 * 1024;

let peak = 0;
setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25).unref();

const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-import-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_import', log: () => undefined });
await connectDatabase(process.env.MONGODB_URI ?? db!.uri);
await loadReferenceData();

const file = path.join(dir, 'contacts.csv');
await generateCsv(file, ROWS);
console.log(`${ROWS} rows, ${(statSync(file).size / MB).toFixed(1)} MB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${Math.round(ROWS / seconds).toLocaleString('en').padStart(7)} rows/s  peak RSS so far ${Math.round(peak / MB)} MB`);
  return result;
}

for (const pass of ['new rows', 'same file again']) {
  const doc = await timed(`dry run (${pass})`, async () => createImport(await storeFile(createReadStream(file), 'contacts.csv', dir), { policy: 'overwrite' }));
  await requestCommit(String(doc._id));
  const done = await timed(`commit (${pass})`, () => runCommit(String(doc._id)));
  const c = done.counts!;
  console.log(`  → created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, errors ${c.errors}`);
}
console.log(`peak RSS ${Math.round(peak / MB)} MB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
