/**
 * bench/import: generates a CSV of N contacts (French Excel shape: semicolons, CRLF, accents,
 * postal codes / départements / régions, two themes per row) and imports it into a fresh
 * embedded database (FerretDB over SQLite) through the same service functions as the API and
 * the job, in an importing process of its own run as the worker is (bench/import/importer.ts,
 * bundled, plain node). Prints rows/s for the dry run, the commit of new rows, the dry run and
 * commit of the same file again (every row then matches an existing contact), and for each
 * phase the CPU-seconds of the importing process and of the embedded database and the
 * importer's peak RSS, read from /proc (bench/lib/proc.ts). The last lines are `name=value`
 * figures: each phase's with its prefix (dry_run_new_, commit_new_, dry_run_again_,
 * commit_again_), then the commit of new rows' without prefix (cpu_seconds_total = importer +
 * database, peak_rss_mb = the importing process's peak during that commit).
 *
 * Each row has a free-text function ("Coordinatrice CLSM"): 50 distinct values, each mapped by
 * a staff decision (the value map of the import wizard), applied to every row.
 *
 *   npx tsx bench/import/run.ts [--rows 100000] [--passes 1]
 *   BENCH_DETAIL=1: the importer's memory when ready and after each phase;
 *   BENCH_IMPORTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node options of the importer
 *   (MONGODB_URI=... to use an existing server instead of a fresh FerretDB)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from '../../server/lib/bundle.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';
import { generateCsv } from './generate.js';
import type { ImporterAnswer, ImporterRequest } from './importer.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 100_000);
/** 1: the new rows only (a quicker look at the target's phase); 2: the same file again too. */
const PASSES = arg('passes', 2);
const MB = 1024 * 1024;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-import-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_import', log: () => undefined });
const file = path.join(dir, 'contacts.csv');
await generateCsv(file, ROWS, { functions: true });
console.log(`${ROWS} rows, ${(statSync(file).size / MB).toFixed(1)} MB, load average ${loadAverage()}`);

const importerBundle = await bundleEntry(fileURLToPath(new URL('importer.ts', import.meta.url)), () => 'bench-importer.mjs');
const importer = fork(importerBundle, [process.env.MONGODB_URI ?? db!.uri, file, dir], { stdio: 'inherit', execArgv: process.env.BENCH_IMPORTER_NODE_ARGS?.split(' ').filter(Boolean) ?? [] });
await answerOf(importer);

/** The importer's next answer; its failure, or its exit, fails the bench. */
async function answerOf(child: ChildProcess): Promise<Extract<ImporterAnswer, { done: true }>> {
  const [answer] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => [{ failed: 'importing process exited' }])])) as [ImporterAnswer];
  if ('failed' in answer) throw new Error(answer.failed);
  return answer;
}

/** Each phase's figures, `name=value` with the phase as prefix (e.g. commit_new_cpu_seconds_total). */
const phases: Record<string, number> = {};
let commitOfNewRows: Record<string, number> = {};

async function timed(label: string, key: string, request: ImporterRequest) {
  const meter = new ProcessMeter({ app: importer.pid, database: db?.process.pid });
  importer.send(request);
  const answer = await answerOf(importer);
  const figures = meter.stop().fields({ peakOf: ['app'] });
  const seconds = figures.wall_seconds;
  console.log(
    `${label.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${Math.round(ROWS / seconds).toLocaleString('en').padStart(7)} rows/s  ` +
      `CPU ${figures.cpu_seconds_total.toFixed(1)} s (importer ${figures.cpu_seconds_app}, database ${figures.cpu_seconds_database ?? '-'})  peak RSS ${figures.peak_rss_mb} MB`,
  );
  for (const [name, value] of Object.entries(figures)) phases[`${key}_${name}`] = value;
  phases[`${key}_rows_per_second`] = Math.round(ROWS / seconds);
  if (key === 'commit_new') commitOfNewRows = { rows_per_second: Math.round(ROWS / seconds), ...figures };
  return answer;
}

for (const [pass, key] of [['new rows', 'new'], ['same file again', 'again']].slice(0, PASSES)) {
  const { mapped } = await timed(`dry run (${pass})`, `dry_run_${key}`, { phase: 'dry-run' });
  const c = (await timed(`commit (${pass})`, `commit_${key}`, { phase: 'commit' })).counts!;
  console.log(`  → created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, errors ${c.errors}, warnings ${c.warnings}`);
  if (mapped !== 50 || c.errors || c.warnings) throw new Error(`value map not applied: ${mapped} staff decisions, ${c.errors} errors, ${c.warnings} warnings`);
}
console.log(`load average ${loadAverage()}`);
// Last lines: every phase, then the commit of new rows (the target's figures) without prefix.
printFigures({ ...phases, ...commitOfNewRows });

importer.disconnect();
await once(importer, 'exit');
await db?.stop();
rmSync(dir, { recursive: true, force: true });
