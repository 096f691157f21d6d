import { existsSync } from 'node:fs';
import { loadConfig } from './lib/config.js';
import { createLogger } from './lib/logger.js';
import { runUntilSignal } from './process.js';
import { startRuntime } from './runtime.js';

if (existsSync('.env')) process.loadEnvFile('.env');
const config = loadConfig();
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => startRuntime(config, logger, { http: true, jobs: config.jobsEnabled }));
