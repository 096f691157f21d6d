import type { Db } from 'mongodb';
import type { Logger } from '../../lib/logger.js';

/**
 * A data migration: one file `NNN-name.ts` per migration, listed in ./index.ts.
 * `up` works on the raw driver (never on today's Mongoose models, which change over time) and
 * must be idempotent: it is recorded only after it finishes, so after a crash mid-way it runs
 * again from the start over partly migrated data.
 */
export type Migration = {
  version: number;
  name: string;
  up(db: Db, logger: Logger): Promise<void>;
};
