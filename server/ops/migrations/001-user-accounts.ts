import type { Db } from 'mongodb';
import type { Logger } from '../../lib/logger.js';
import type { Migration } from './types.js';

/**
 * Accounts created before the `active` flag existed could not log in (the login looks for
 * `active: true`), and accounts written by hand may carry upper-case or padded e-mails.
 * Lower-casing is done in code: FerretDB has no string operators in pipelines.
 */
export const migration: Migration = {
  version: 1,
  name: 'user-accounts',
  async up(db: Db, logger: Logger) {
    const users = db.collection('users');
    await users.updateMany({ active: { $exists: false } }, { $set: { active: true } });
    let skipped = 0;
    for await (const user of users.find({}, { projection: { email: 1 } })) {
      const email = typeof user.email === 'string' ? user.email.trim().toLowerCase() : undefined;
      if (!email || email === user.email) continue;
      if (await users.findOne({ email, _id: { $ne: user._id } }, { projection: { _id: 1 } })) {
        skipped++; // two accounts for one address: left for an administrator to merge
        continue;
      }
      await users.updateOne({ _id: user._id }, { $set: { email } });
    }
    if (skipped) logger.warn({ skipped }, 'accounts whose normalised e-mail is already taken were left unchanged');
  },
};
