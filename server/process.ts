import { setFlagsFromString } from 'node:v8';
import { ConfigError } from './lib/config.js';
import { EmbeddedDatabaseError } from './lib/ferretdb.js';
import type { Logger } from './lib/logger.js';
import type { Runtime } from './runtime.js';

/** A burst of errors nothing caught (this many within a minute) means a broken state. */
export const UNCAUGHT_BURST = 10;

/**
 * An error nothing caught (a stream without an error listener, a promise nobody awaited) is
 * logged and the process keeps serving: requests and jobs each run on their own, one gone
 * wrong must not take the others down. A burst of them means something is broken for good:
 * `giveUp` then stops the process (cleanly, exit 1) for its supervisor to restart it.
 */
export function guardProcess(logger: Logger, giveUp: () => void): void {
  const recent: number[] = [];
  const handle = (kind: string) => (error: unknown) => {
    logger.error({ err: error, kind }, 'error nothing caught; still serving');
    const now = Date.now();
    recent.push(now);
    while (recent[0] < now - 60_000) recent.shift();
    if (recent.length === UNCAUGHT_BURST) {
      logger.fatal({ count: UNCAUGHT_BURST }, 'too many uncaught errors within a minute; stopping');
      giveUp();
    }
  };
  process.on('uncaughtException', handle('uncaughtException'));
  process.on('unhandledRejection', handle('unhandledRejection'));
}

/**
 * How far V8 lets the heap grow past what its last full collection kept, in percent. Left to
 * itself on a machine with memory to spare, it lets the heap grow up to four times: the app,
 * holding about 170 MB at 100,000 contacts, went past 400 MB of RSS under load and kept it.
 * Bounded, full collections come sooner; they are rare now that requests leave little for the
 * old generation (lib/http-server.ts). Measured by bench/contacts (bench/RESULTS.md).
 */
const HEAP_GROWING_PERCENT = 30;

/** Bounds V8's heap growth (see HEAP_GROWING_PERCENT); the app, the worker and the import bench call it first. */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** Starts a runtime and stops it cleanly on SIGTERM/SIGINT; start-up errors print in French and exit 1. */
export async function runUntilSignal(logger: Logger, start: () => Promise<Runtime>): Promise<void> {
  let runtime: Runtime | undefined;
  let stopping = false;
  boundHeapGrowth();
  guardProcess(logger, () => void stop('uncaught errors', 1));
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
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  async function stop(signal: string, code = 0) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await runtime?.stop();
      process.exit(code);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  }
}
