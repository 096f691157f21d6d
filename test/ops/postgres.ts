import { startFerretdb, type RunningFerretdb } from '../../server/lib/ferretdb.js';
import { psql, startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';

/**
 * A throwaway PostgreSQL database with FerretDB over it: the production-like storage of the
 * multi-instance tests. The server is `PG_URL` when given, otherwise a private cluster started
 * once per run (scripts/private-postgres.ts) and stopped by the root hook (test/setup.ts).
 */
export type PostgresFerretdb = RunningFerretdb & { pgDatabase: string; drop(): Promise<void> };

let privateCluster: Promise<PrivatePostgres> | undefined;

async function postgresServer(): Promise<string> {
  if (process.env.PG_URL) return process.env.PG_URL;
  privateCluster ??= startPrivatePostgres();
  return (await privateCluster).url;
}

/** Stops the private cluster if this run started one. */
export async function stopPrivatePostgres(): Promise<void> {
  const cluster = privateCluster;
  privateCluster = undefined;
  if (cluster) await (await cluster).stop();
}

export async function startFerretdbOnPostgres(label: string): Promise<PostgresFerretdb> {
  const server = await postgresServer();
  const pgDatabase = `maillage_${label}_${process.pid}_${Date.now()}`;
  psql(server, `CREATE DATABASE ${pgDatabase}`);
  const url = new URL(server);
  url.pathname = `/${pgDatabase}`;
  const dropDatabase = () => psql(server, `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
  try {
    const ferretdb = await startFerretdb({ storage: { kind: 'postgresql', url: url.toString() }, database: 'maillage' });
    return {
      ...ferretdb,
      pgDatabase,
      async drop() {
        await ferretdb.stop();
        dropDatabase();
      },
    };
  } catch (error) {
    dropDatabase();
    throw error;
  }
}
