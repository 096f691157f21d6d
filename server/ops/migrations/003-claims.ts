import type { Db } from 'mongodb';
import type { Migration } from './types.js';

/**
 * Certificate numbers were claimed in `counter_claims`; every one-time claim now lives in
 * `claims` (`claimOnce`, server/lib/db.ts). The numbers already given are copied there so
 * none is given again; the old send claims of newsletters need no copy (an issue's status
 * already refuses a second send).
 */
export const migration: Migration = {
  version: 3,
  name: 'claims',
  async up(db: Db) {
    const claims = db.collection<{ _id: string; at: Date }>('claims');
    for await (const old of db.collection<{ _id: string; createdAt?: Date }>('counter_claims').find({})) {
      await claims.updateOne({ _id: old._id }, { $set: { at: old.createdAt ?? new Date(0) } }, { upsert: true });
    }
    for (const name of ['counter_claims', 'newsletter_claims']) await db.collection(name).drop().catch(() => undefined);
  },
};
