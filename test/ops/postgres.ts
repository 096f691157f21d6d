import { execFileSync } from 'node:child_process';
import { startFerretdb, type RunningFerretdb } from '../../server/lib/ferretdb.js';

/**
 * A throwaway PostgreSQL database (127.0.0.1:5432, trust auth, user postgres) with FerretDB
 * over it: the production-like storage of the multi-instance tests.
 */
export type PostgresFerretdb = RunningFerretdb & { pgDatabase: string; drop(): Promise<void> };

const psql = (sql: string) => execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qAtc', sql], { stdio: 'pipe' });

export async function startFerretdbOnPostgres(label: string): Promise<PostgresFerretdb> {
  const pgDatabase = `maillage_${label}_${process.pid}_${Date.now()}`;
  psql(`CREATE DATABASE ${pgDatabase}`);
  try {
    const ferretdb = await startFerretdb({ storage: { kind: 'postgresql', url: `postgres://postgres@127.0.0.1:5432/${pgDatabase}` }, database: 'maillage' });
    return {
      ...ferretdb,
      pgDatabase,
      async drop() {
        await ferretdb.stop();
        psql(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
      },
    };
  } catch (error) {
    psql(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
    throw error;
  }
}
