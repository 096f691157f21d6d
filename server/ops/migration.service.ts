import type { Db } from 'mongodb';
import os from 'node:os';
import type { Logger } from '../lib/logger.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index.js';

/** One record per applied migration: `{ _id: '001-user-accounts', version, name, startedAt, finishedAt }`. */
export const MIGRATIONS_COLLECTION = 'schema_migrations';
/** Several processes start at once: one lock document makes them migrate one after the other. */
const LOCK_COLLECTION = 'schema_lock';
const LOCK_ID = 'migrations';
const LOCK_BEAT_MS = 5_000;
const LOCK_STALE_MS = 30_000; // a lock not refreshed for this long belongs to a crashed process
const LOCK_WAIT_MS = 10 * 60_000;

export class SchemaTooNewError extends Error {
  constructor(readonly databaseVersion: number, readonly appVersion: number) {
    super(
      `La base de données est au schéma ${databaseVersion}, plus récent que celui de cette version de Maillage ` +
        `(schéma ${appVersion}) : installez la version de l'application qui l'a migrée, ou restaurez une sauvegarde compatible.`,
    );
  }
}

export type SchemaState = { current: number; expected: number; pending: Migration[] };

export const migrationId = (migration: Migration) => `${String(migration.version).padStart(3, '0')}-${migration.name}`;

export async function schemaState(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaState> {
  const records = await db.collection(MIGRATIONS_COLLECTION).find({}, { projection: { version: 1 } }).toArray();
  const applied = new Set(records.map((record) => Number(record.version)));
  const expected = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  return {
    current: Math.max(0, ...applied),
    expected,
    pending: migrations.filter((migration) => !applied.has(migration.version)).sort((a, b) => a.version - b.version),
  };
}

/** Refuses a database migrated by a newer version of the app. */
export async function assertSchemaNotNewer(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaState> {
  const state = await schemaState(db, migrations);
  if (state.current > state.expected) throw new SchemaTooNewError(state.current, state.expected);
  return state;
}

/**
 * Runs the pending migrations in order, each recorded once it has finished. Safe to call from
 * every process at start-up and to re-run after a crash: an unrecorded migration runs again
 * (migrations are idempotent), and the lock of a dead process goes stale within 30 s.
 */
export async function runMigrations(db: Db, logger: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  if ((await assertSchemaNotNewer(db, migrations)).pending.length === 0) return [];
  const lock = await acquireLock(db);
  const applied: string[] = [];
  try {
    // Re-read under the lock: another process may have migrated while we waited.
    const { pending } = await assertSchemaNotNewer(db, migrations);
    for (const migration of pending) {
      const id = migrationId(migration);
      const startedAt = new Date();
      logger.info({ migration: id }, 'migration started');
      await migration.up(db, logger);
      const finishedAt = new Date();
      await db
        .collection<{ _id: string }>(MIGRATIONS_COLLECTION)
        .updateOne({ _id: id }, { $set: { version: migration.version, name: migration.name, startedAt, finishedAt } }, { upsert: true });
      logger.info({ migration: id, ms: finishedAt.getTime() - startedAt.getTime() }, 'migration done');
      applied.push(id);
    }
  } finally {
    await lock.release();
  }
  return applied;
}

async function acquireLock(db: Db): Promise<{ release(): Promise<void> }> {
  const locks = db.collection<{ _id: string; owner: string; at: Date }>(LOCK_COLLECTION);
  const owner = `${os.hostname()}-${process.pid}-${Date.now()}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await locks.insertOne({ _id: LOCK_ID, owner, at: new Date() });
      break;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const held = await locks.findOne({ _id: LOCK_ID });
    if (held && Date.now() - held.at.getTime() > LOCK_STALE_MS) {
      await locks.deleteOne({ _id: LOCK_ID, owner: held.owner, at: held.at }); // only if nobody took it meanwhile
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Les migrations sont verrouillées par ${held?.owner} depuis trop longtemps.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const beat = setInterval(() => void locks.updateOne({ _id: LOCK_ID, owner }, { $set: { at: new Date() } }).catch(() => undefined), LOCK_BEAT_MS);
  return {
    async release() {
      clearInterval(beat);
      await locks.deleteOne({ _id: LOCK_ID, owner });
    },
  };
}

export { SCHEMA_VERSION };
