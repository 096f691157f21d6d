import type { Config } from '../lib/config.js';
import { connectDatabase, disconnectDatabase } from '../lib/db.js';
import { createLogger } from '../lib/logger.js';
import { runMailing } from './sender.js';

/**
 * The entry point of a sending process (forked by `runMailingInChildProcess`): receives its
 * configuration, the database and the mailing over IPC, sends, reports the outcome.
 */
export type SenderStart = { config: Config; databaseUri: string; mailingId: string };
export type SenderReport = { touch: true } | { outcome: string } | { error: string };

const report = (message: SenderReport) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

// The worker that forked us died: stop now, its restart resumes the mailing from the event log.
process.on('disconnect', () => process.exit(1));

const start = await new Promise<SenderStart>((resolve) => process.once('message', resolve as never));
let result: SenderReport;
try {
  await connectDatabase(start.databaseUri, { prepare: false }); // the process that forked us prepared the models
  const logger = createLogger(start.config.logLevel);
  result = { outcome: await runMailing({ config: start.config, logger }, start.mailingId, { touch: () => report({ touch: true }) }) };
} catch (error) {
  result = { error: (error as Error).stack ?? String(error) };
}
await disconnectDatabase().catch(() => undefined);
await report(result);
process.exit(0);
