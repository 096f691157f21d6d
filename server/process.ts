import { ConfigError } from './lib/config.js';
import { EmbeddedDatabaseError } from './lib/ferretdb.js';
import type { Logger } from './lib/logger.js';
import type { Runtime } from './runtime.js';

/** Starts a runtime and stops it cleanly on SIGTERM/SIGINT; start-up errors print in French and exit 1. */
export async function runUntilSignal(logger: Logger, start: () => Promise<Runtime>): Promise<void> {
  let runtime: Runtime;
  try {
    runtime = await start();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EmbeddedDatabaseError) {
      console.error(error.message);
    } else {
      logger.fatal({ err: error }, 'start-up failed');
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await runtime.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
