import { MongoClient, type Db } from 'mongodb';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../lib/config.js';
import { EmbeddedDatabaseError, privateSocket, startFerretdb, type RunningFerretdb } from '../lib/ferretdb.js';
import { createLogger, type Logger } from '../lib/logger.js';

/**
 * Runs a backup, restore or migrate command on the configured database (the embedded one when
 * MONGODB_URI is unset). Unlike server/cli.ts it loads no reference or demo data: a restore
 * needs the database exactly as it is. Errors print in French; the exit code is 1.
 */
export async function runOpsCli(task: (db: Db, ctx: { config: Config; logger: Logger }) => Promise<void>): Promise<void> {
  let embedded: RunningFerretdb | undefined;
  let client: MongoClient | undefined;
  let failed = false;
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const config = loadConfig();
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    if (!config.mongodbUri) {
      const dir = path.join(config.dataDir, 'db');
      embedded = await startFerretdb({ storage: { kind: 'sqlite', dir }, listen: { socket: privateSocket(dir) } });
    }
    client = await MongoClient.connect(config.mongodbUri ?? embedded!.uri, { serverSelectionTimeoutMS: 10_000 });
    await task(client.db(), { config, logger });
  } catch (error) {
    failed = true;
    const plain = error instanceof ConfigError || error instanceof EmbeddedDatabaseError;
    console.error(plain ? (error as Error).message : `Erreur : ${(error as Error).message}`);
  } finally {
    await client?.close();
    await embedded?.stop();
  }
  process.exit(failed ? 1 : 0);
}
