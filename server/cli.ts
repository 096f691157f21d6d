import { existsSync } from 'node:fs';
import { loadConfig } from './lib/config.js';
import { createLogger } from './lib/logger.js';
import type { AppContext } from './context.js';
import { startRuntime } from './runtime.js';

/**
 * Runs a command-line task against the configured database (the embedded one when
 * MONGODB_URI is unset), with the same services the API uses. Errors print in French.
 */
export async function runCli(task: (ctx: AppContext) => Promise<void>): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const runtime = await startRuntime(config, logger, { http: false, jobs: false });
  let failed = false;
  try {
    await task(runtime.ctx);
  } catch (error) {
    failed = true;
    console.error(`Erreur : ${(error as Error).message}`);
  } finally {
    await runtime.stop();
  }
  process.exit(failed ? 1 : 0);
}
