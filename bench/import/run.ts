/**
 * bench/import: generates a CSV of N contacts (French Excel shape: semicolons, CRLF, accents,
 * postal codes / départements / régions, two themes per row) and imports it into a fresh
 * embedded database (FerretDB over SQLite) through the same service functions as the API and
 * the job. Prints rows/s for the dry run, the commit of new rows, the dry run and commit of the
 * same file again (every row then matches an existing contact), and for each phase the
 * CPU-seconds of the bench process (the importer) and of the embedded database and the
 * importer's peak RSS, read from /proc (bench/lib/proc.ts). The last lines are `name=value`
 * figures: each phase's with its prefix (dry_run_new_, commit_new_, dry_run_again_,
 * commit_again_), then the commit of new rows' without prefix (cpu_seconds_total = app +
 * database, peak_rss_mb = the importing process's peak during that commit).
 *
 * Each row has a free-text function ("Coordinatrice CLSM"): 50 distinct values, each mapped by
 * a staff decision (the value map of the import wizard), applied to every row.
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
import { ProcessMeter, printFigures } from '../lib/proc.js';
import { FREE_TEXT_FUNCTIONS, generateCsv } from './generate.js';

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
await generateCsv(file, ROWS, { functions: true });
const valueMap = FREE_TEXT_FUNCTIONS.map(({ value, code }) => ({ field: 'function' as const, value, action: 'existing' as const, targets: [code] }));
console.log(`${ROWS} rows, ${(statSync(file).size / MB).toFixed(1)} MB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

/** Each phase's figures, `name=value` with the phase as prefix (e.g. commit_new_cpu_seconds_total). */
const phases: Record<string, number> = {};
let commitOfNewRows: Record<string, number> = {};

async function timed<T>(label: string, key: string, run: () => Promise<T>): Promise<T> {
  const meter = new ProcessMeter({ app: process.pid, database: db?.process.pid });
  const result = await run();
  const figures = meter.stop().fields({ peakOf: ['app'] });
  const seconds = figures.wall_seconds;
  console.log(
    `${label.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${Math.round(ROWS / seconds).toLocaleString('en').padStart(7)} rows/s  ` +
      `CPU ${figures.cpu_seconds_total.toFixed(1)} s (app ${figures.cpu_seconds_app}, database ${figures.cpu_seconds_database ?? '-'})  peak RSS ${figures.peak_rss_mb} MB`,
  );
  for (const [name, value] of Object.entries(figures)) phases[`${key}_${name}`] = value;
  phases[`${key}_rows_per_second`] = Math.round(ROWS / seconds);
  if (key === 'commit_new') commitOfNewRows = { rows_per_second: Math.round(ROWS / seconds), ...figures };
  return result;
}

for (const [pass, key] of [['new rows', 'new'], ['same file again', 'again']]) {
  const doc = await timed(`dry run (${pass})`, `dry_run_${key}`, async () => createImport(await storeFile(createReadStream(file), 'contacts.csv', dir), { policy: 'overwrite', values: valueMap }));
  await requestCommit(String(doc._id));
  const done = await timed(`commit (${pass})`, `commit_${key}`, () => runCommit(String(doc._id)));
  const c = done.counts!;
  console.log(`  → created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, errors ${c.errors}, warnings ${c.warnings}`);
  const mapped = (doc.values as { source: string }[]).filter((v) => v.source === 'staff').length;
  if (mapped !== 50 || c.errors || c.warnings) throw new Error(`value map not applied: ${mapped} staff decisions, ${c.errors} errors, ${c.warnings} warnings`);
}
console.log(`peak RSS of the whole run ${Math.round(peak / MB)} MB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
// Last lines: every phase, then the commit of new rows (the target's figures) without prefix.
printFigures({ ...phases, ...commitOfNewRows });

await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
