/**
 * The importing process of bench/import, run from a bundle by plain node as the worker is
 * (bounded heap growth, no tsx), so that its CPU and peak memory are the job's. It connects to
 * the bench's database and runs each phase the parent asks for, one at a time:
 * `{ phase: 'dry-run' }` uploads and dry-runs the file with the value map, `{ phase: 'commit' }`
 * commits the last dry run; each answers `{ done: true, ... }` on the IPC channel.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { loadReferenceData } from '../../fixtures/index.js';
import { createImport, requestCommit, runCommit, storeFile } from '../../server/imports/import.service.js';
import { connectDatabase } from '../../server/lib/db.js';
import { boundHeapGrowth } from '../../server/process.js';
import { FREE_TEXT_FUNCTIONS } from './generate.js';

export type ImporterRequest = { phase: 'dry-run' | 'commit' };
export type ImporterAnswer = { done: true; mapped?: number; counts?: { created: number; updated: number; unchanged: number; errors: number; warnings: number } } | { failed: string };

const [uri, file, dir] = process.argv.slice(2);
boundHeapGrowth();
await connectDatabase(uri);
await loadReferenceData();

const valueMap = FREE_TEXT_FUNCTIONS.map(({ value, code }) => ({ field: 'function' as const, value, action: 'existing' as const, targets: [code] }));
let importId = '';

async function run(request: ImporterRequest): Promise<ImporterAnswer> {
  if (request.phase === 'dry-run') {
    const doc = await createImport(await storeFile(createReadStream(file), 'contacts.csv', dir), { policy: 'overwrite', values: valueMap });
    importId = String(doc._id);
    return { done: true, mapped: (doc.values as { source: string }[]).filter((v) => v.source === 'staff').length };
  }
  await requestCommit(importId);
  return { done: true, counts: (await runCommit(importId)).counts! };
}

/** BENCH_DETAIL=1: the importer's memory when ready and after each phase. */
const detail = (when: string) => {
  if (!process.env.BENCH_DETAIL) return;
  const m = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  console.log(`importer ${when}: RSS ${Math.round(m.rss / 2 ** 20)} MB (anonymous ${kb('RssAnon')}, files ${kb('RssFile')}), heap ${Math.round(m.heapUsed / 2 ** 20)} of ${Math.round(m.heapTotal / 2 ** 20)} MB, external ${Math.round(m.external / 2 ** 20)} MB`);
};
process.on('message', (request: ImporterRequest) => {
  run(request).then(
    (answer) => {
      detail(`after-${request.phase}`);
      process.send!(answer);
    },
    (error: unknown) => process.send!({ failed: String((error as Error).stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
detail('ready');
process.send!({ done: true });
