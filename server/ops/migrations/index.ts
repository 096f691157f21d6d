import { migration as userAccounts } from './001-user-accounts.js';
import { migration as contactArrays } from './002-contact-arrays.js';
import { migration as claims } from './003-claims.js';
import { migration as registrationStatuses } from './004-registration-statuses.js';
import { migration as mailingContents } from './005-mailing-contents.js';
import type { Migration } from './types.js';

export type { Migration };

/** Every data migration, in order. Add a file `NNN-name.ts` and list it here. */
export const MIGRATIONS: readonly Migration[] = [userAccounts, contactArrays, claims, registrationStatuses, mailingContents];

/** The schema version this code expects: the last migration it knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);
