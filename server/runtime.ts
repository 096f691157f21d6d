import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { defineJobs, scheduleRecurringJobs } from '../jobs/index.js';
import { demoAccountsPresent } from '../fixtures/demo/users.js';
import { loadDemoDataOnce, loadReferenceData } from '../fixtures/index.js';
import { ConfigError } from './lib/config.js';
import { createApp } from './app.js';
import type { AppContext } from './context.js';
import type { Config } from './lib/config.js';
import { connectDatabase, disconnectDatabase } from './lib/db.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './lib/embedded-db.js';
import type { Logger } from './lib/logger.js';
import { createScheduler } from './lib/scheduler.js';
import { drainBackground } from './lib/background.js';
import { runMigrations } from './ops/migration.service.js';
import { ensureFirstAdmin } from './users/user.service.js';
import { warmContactIndex } from './contacts/contact.store.js';
import { httpServerFor } from './lib/http-server.js';
import { loadGeography } from './territories/territory.data.js';

export type Runtime = {
  ctx: AppContext;
  server?: Server;
  url?: string;
  embeddedDb?: EmbeddedDatabase;
  stop(): Promise<void>;
};

/**
 * Start-up order: database → reference data → scheduler → HTTP. The app, the worker and the
 * tests all start through here; `http: false` is the worker, `jobs: false` an app whose jobs
 * run in a worker.
 */
export async function startRuntime(
  config: Config,
  logger: Logger,
  options: { http: boolean; jobs: boolean; processEvery?: string | number },
): Promise<Runtime> {
  const embeddedDb = config.mongodbUri ? undefined : await startEmbeddedDatabase({ dataDir: config.dataDir, logger });
  if (embeddedDb) logger.info({ socket: embeddedDb.socket }, 'embedded database started');
  try {
    // on the embedded database a restart is noticed within a second
    await connectDatabase(config.mongodbUri ?? embeddedDb!.uri, embeddedDb ? { heartbeatFrequencyMS: 1000 } : {});
    const unwatchConnection = watchConnection(logger);
    // Refuses a database migrated by a newer version; every process may run this at once (locked).
    await runMigrations(mongoose.connection.db!, logger);
    // the contacts' index takes seconds to load at 100,000 contacts: meanwhile the rest starts;
    // then the territories every territory filter reads (not before: every contact page needs the index)
    if (options.http) void warmContactIndex().then(() => loadGeography()).catch(() => undefined); // a failure shows at the first territory filter
    await loadReferenceData();
    if (await ensureFirstAdmin(config.firstAdmin)) logger.info('first administrator created');
    if (config.demoData) await loadDemoDataOnce(logger);
    if (config.env === 'production') await refuseDemoAccounts();

    const scheduler = createScheduler(mongoose.connection.db as never, logger, { processEvery: options.processEvery });
    await scheduler.agenda.ready; // its index creation must not be cut off by an early stop
    const ctx: AppContext = { config, logger, scheduler };
    defineJobs(ctx);
    if (options.jobs) {
      await scheduler.start();
      await scheduleRecurringJobs(ctx);
    }
    const server = options.http ? await listen(createApp(ctx), config) : undefined;
    const url = server ? `http://127.0.0.1:${(server.address() as { port: number }).port}` : undefined;
    if (url) logger.info({ url, publicUrl: config.publicUrl }, 'HTTP server listening');

    return {
      ctx,
      server,
      url,
      embeddedDb,
      async stop() {
        if (server) await closeServer(server);
        await drainBackground(); // e-mails still leaving after their form's answer
        if (options.jobs) await scheduler.stop();
        unwatchConnection();
        await disconnectDatabase();
        await embeddedDb?.stop();
      },
    };
  } catch (error) {
    await embeddedDb?.stop();
    throw error;
  }
}

/** Demo accounts have a published password: production does not start while one exists. */
async function refuseDemoAccounts(): Promise<void> {
  const present = await demoAccountsPresent();
  if (present.length) {
    throw new ConfigError(`Des comptes de démonstration existent (${present.join(', ')}) : supprimez-les avant de démarrer en production.`);
  }
}

/** The driver reconnects by itself (to a restarted embedded database, or an external one back up): say so in the log. */
function watchConnection(logger: Logger): () => void {
  const lost = () => logger.warn('database connection lost; the driver keeps trying');
  const back = () => logger.info('database connection back');
  mongoose.connection.on('disconnected', lost).on('reconnected', back);
  return () => mongoose.connection.off('disconnected', lost).off('reconnected', back);
}

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = httpServerFor(app);
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve(server));
  });
}

/** Stops accepting connections and lets requests in flight finish (10 s at most). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
