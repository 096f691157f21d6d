import type { Db } from 'mongodb';
import { migrateContacts } from '../../contacts/contact.store.js';
import type { Migration } from './types.js';

/**
 * Contacts written before these list fields existed (or loaded from another tool) lack them;
 * filters such as "not yet qualified" (`themes: { $size: 0 }`) need the empty array.
 * `$set` rather than `$setOnInsert`: FerretDB drops `[]` given to the latter.
 */
const ARRAY_FIELDS = ['emails', 'phones', 'organisations', 'dispositifs', 'themes', 'territories', 'territoryScope', 'organisationTypes'];

export const migration: Migration = {
  version: 2,
  name: 'contact-arrays',
  async up(db: Db) {
    for (const field of ARRAY_FIELDS) {
      await migrateContacts(db, { [field]: { $exists: false } }, { $set: { [field]: [] } }, { via: 'migration:2' });
    }
  },
};
