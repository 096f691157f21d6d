import type { Db } from 'mongodb';
import type { Migration } from './types.js';

/**
 * Registrations take the status names of the HTTP contract (shared/API.md): `confirmed`
 * becomes `registered`, `waitlisted` becomes `waiting`; the last status told by e-mail too,
 * so nobody gets the same news twice.
 */
const RENAMES: Array<[string, string]> = [
  ['confirmed', 'registered'],
  ['waitlisted', 'waiting'],
];

export const migration: Migration = {
  version: 4,
  name: 'registration-statuses',
  async up(db: Db) {
    const registrations = db.collection('event_registrations');
    for (const [from, to] of RENAMES) {
      await registrations.updateMany({ status: from }, { $set: { status: to } });
      await registrations.updateMany({ notifiedStatus: from }, { $set: { notifiedStatus: to } });
    }
  },
};
