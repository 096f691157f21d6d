import { Double, Int32, Long, ObjectId, type Db, type Document } from 'mongodb';
import mongoose from 'mongoose';
import { loadDemoDataOnce } from '../../fixtures/index.js';
import { PURGE_EXPIRED } from '../../jobs/purge-expired.job.js';
import { createLogger } from '../../server/lib/logger.js';
import { hit } from '../../server/lib/rate-limit.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { runMigrations } from '../../server/ops/migration.service.js';
import { openSession } from '../../server/users/auth.service.js';
import { createUser } from '../../server/users/user.service.js';
import { TEST_PASSWORD, type TestServer } from '../helpers.js';

/** Every BSON type the app writes, with the edge values a careless serialiser gets wrong. */
export function kitchenSink(extra: Document = {}): Document {
  return {
    _id: new ObjectId(),
    ...extra,
    text: 'Élodie Œuvre-Dupré — « santé » 🌿',
    empty: '',
    nothing: null,
    yes: true,
    no: false,
    int: new Int32(42),
    negative: new Int32(-7),
    double: new Double(2.5),
    wholeDouble: new Double(3),
    long: Long.fromString('9007199254740993'),
    date: new Date('2026-03-01T08:15:30.123Z'),
    epoch: new Date(0),
    ref: new ObjectId(),
    refs: [new ObjectId(), new ObjectId()],
    emptyList: [],
    nested: { level: { deeper: { at: new Date('2025-12-31T23:59:59.999Z'), tags: ['a', 'b'] } }, emptyObject: {} },
    objects: [{ code: 'x', n: new Int32(1) }, { code: 'y', n: new Double(1.5) }],
  };
}

/**
 * A database with every kind of record: the demo data of every feature, records made through
 * the services, a real Agenda job, a session, a rate-limit counter, the migration records, and
 * in every model's collection (and the ones without a model yet) a document holding every
 * BSON type. Returns the collection names that must come back.
 */
export async function fillEveryKindOfRecord(server: TestServer): Promise<string[]> {
  const db = mongoose.connection.db!;
  const logger = createLogger('silent');
  await runMigrations(db, logger);
  await loadDemoDataOnce(logger);
  const user = await createUser({ email: 'sauvegarde@fts.test', name: 'Équipe Sauvegarde', role: 'staff', password: TEST_PASSWORD });
  await openSession('sauvegarde@fts.test', TEST_PASSWORD);
  await hit('login:203.0.113.7', 60_000);
  const actor = { id: String(user._id), role: 'staff' as const, name: user.name };
  const contact = await createContact({ email: 'anaïs.lefèvre@ville.test', firstName: 'Anaïs', lastName: 'Lefèvre' } as never, actor);
  await server.ctx.scheduler.agenda.schedule('in 1 year', PURGE_EXPIRED, {});

  const list = await db.collection('lists').findOne({});
  await insertIfAbsent(db, 'subscriptions', {
    contact: contact._id,
    list: list?._id ?? new ObjectId(),
    status: 'subscribed',
    source: 'form',
    consent: { at: new Date('2026-01-05T10:00:00Z'), source: 'form', ip: '198.51.100.4', wording: 'J’accepte…', confirmedAt: new Date('2026-01-05T10:03:00Z'), confirmedIp: '198.51.100.4' },
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  for (const name of ['deliveries', 'solicitations', 'newsletters', 'memberships']) await insertIfAbsent(db, name, kitchenSink({ contact: contact._id }));
  for (const model of Object.values(mongoose.models)) await insertIfAbsent(db, model.collection.collectionName, kitchenSink());
  await db.collection('contacts').insertOne(kitchenSink({ email: 'types@fts.test' }));
  // Every collection a backup must hold: all but the server's own and the stored copy of the
  // contacts' index, which is rebuilt from the contacts.
  const derived = ['contact_index_snapshots'];
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => !name.startsWith('system.') && !derived.includes(name));
}

async function insertIfAbsent(db: Db, name: string, doc: Document): Promise<void> {
  if (!(await db.collection(name).findOne({}))) await db.collection(name).insertOne(doc);
}
