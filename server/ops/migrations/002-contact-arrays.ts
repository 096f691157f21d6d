import type { Migration } from './types.js';

/**
 * Once gave every contact missing one of its lists an empty one, for filters written as
 * `themes: { $size: 0 }`. No filter asks that any more (the contacts' index answers them, and a
 * missing list is an empty one to it and to `$in`), and contacts written in bulk are now stored
 * without their empty lists on purpose (contact.store.ts, `storedForm`): run again, it would
 * rewrite every imported contact. Kept, doing nothing, so that version 2 stays applied.
 */
export const migration: Migration = {
  version: 2,
  name: 'contact-arrays',
  async up() {},
};
