import type { Config } from './lib/config.js';
import type { Logger } from './lib/logger.js';
import type { Scheduler } from './lib/scheduler.js';

/** What the start-up file hands to routes and jobs: no module-level singletons. */
export type AppContext = {
  config: Config;
  logger: Logger;
  /** Present in a process that can enqueue jobs (always: enqueueing needs no running scheduler). */
  scheduler: Scheduler;
};
