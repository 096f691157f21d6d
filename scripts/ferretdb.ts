import { parseArgs } from 'node:util';
import { ensureFerretdbBinary, startFerretdb } from '../server/lib/ferretdb.js';

/**
 * `tsx scripts/ferretdb.ts build` builds the embedded database once;
 * `tsx scripts/ferretdb.ts serve --postgresql-url URL --port N` serves FerretDB over PostgreSQL
 * until stopped (CI's second pass, and a production-like local setup).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'postgresql-url': { type: 'string' }, 'sqlite-dir': { type: 'string' }, port: { type: 'string' } },
});

if (positionals[0] === 'build') {
  const started = Date.now();
  console.log(await ensureFerretdbBinary(console.log), `(${((Date.now() - started) / 1000).toFixed(1)} s)`);
} else if (positionals[0] === 'serve') {
  const storage = values['postgresql-url']
    ? ({ kind: 'postgresql', url: values['postgresql-url'] } as const)
    : ({ kind: 'sqlite', dir: values['sqlite-dir'] ?? './data/db' } as const);
  const db = await startFerretdb({ storage, listen: values.port ? { port: Number(values.port) } : undefined, log: console.log });
  console.log(`FerretDB prêt : ${db.uri}`);
  const stop = async () => {
    await db.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  console.error('Usage : tsx scripts/ferretdb.ts build | serve [--postgresql-url URL] [--sqlite-dir DIR] [--port N]');
  process.exit(2);
}
