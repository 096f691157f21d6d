import { existsSync } from 'node:fs';
import { loadConfig } from './lib/config.js';
import { createLogger } from './lib/logger.js';
import { runUntilSignal } from './process.js';
import { startRuntime } from './runtime.js';

/** Runs the jobs in a process of their own; start the app with JOBS=off beside it. */
if (existsSync('.env')) process.loadEnvFile('.env');
const config = loadConfig();
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => startRuntime(config, logger, { http: false, jobs: true }));
