import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import { startFerretdb, type FerretdbStorage } from '../../server/lib/ferretdb.js';
import { psql, startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';

/**
 * Backup and restore of N contacts with their subscriptions (one each to the newsletter, a
 * second list for a third of them), on embedded FerretDB/SQLite (default) or FerretDB over
 * PostgreSQL (--postgresql: `PG_URL`, or a private cluster). Each phase runs in its own process: figures are its wall time and
 * peak RSS. `npx tsx bench/backup/run.ts [--contacts 100000] [--postgresql]`
 */
const { values } = parseArgs({ options: { contacts: { type: 'string', default: '100000' }, postgresql: { type: 'boolean' } } });
const total = Number(values.contacts);
const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-backup-'));
const pgDatabase = `maillage_bench_backup_${process.pid}`;
let storage: FerretdbStorage = { kind: 'sqlite', dir: path.join(dir, 'db') };
let cluster: PrivatePostgres | undefined;
const pgServer = values.postgresql ? (process.env.PG_URL ?? (cluster = await startPrivatePostgres()).url) : '';
if (values.postgresql) {
  psql(pgServer, `CREATE DATABASE ${pgDatabase}`);
  storage = { kind: 'postgresql', url: Object.assign(new URL(pgServer), { pathname: `/${pgDatabase}` }).toString() };
}
const ferretdb = await startFerretdb({ storage });
const client = await MongoClient.connect(ferretdb.uri);
const uriOf = (db: string) => ferretdb.uri.replace(/\/[^/]*$/, `/${db}`);

try {
  const source = client.db('bench_source');
  const seeded = await seed(source);
  const file = path.join(dir, 'bench.ejson.gz');
  const backup = phase('backup', uriOf('bench_source'), file);
  const restore = phase('restore', uriOf('bench_restored'), file);
  const restored = client.db('bench_restored');
  const counts = { contacts: await restored.collection('contacts').countDocuments(), subscriptions: await restored.collection('subscriptions').countDocuments() };
  if (counts.contacts !== seeded.contacts || counts.subscriptions !== seeded.subscriptions) throw new Error(`restored ${JSON.stringify(counts)}`);
  const documents = seeded.contacts + seeded.subscriptions;
  console.log(`storage: FerretDB ${values.postgresql ? 'over PostgreSQL' : 'over SQLite'}`);
  console.log(`documents: ${seeded.contacts} contacts + ${seeded.subscriptions} subscriptions = ${documents} (seeded in ${seeded.seconds.toFixed(1)} s)`);
  console.log(`archive: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`backup:  ${backup.seconds.toFixed(1)} s (${Math.round(documents / backup.seconds)} documents/s), peak RSS ${Math.round(backup.peakRssMiB)} MiB`);
  console.log(`restore: ${restore.seconds.toFixed(1)} s (${Math.round(documents / restore.seconds)} documents/s, verification pass included), peak RSS ${Math.round(restore.peakRssMiB)} MiB`);
} finally {
  await client.close();
  await ferretdb.stop();
  if (values.postgresql) psql(pgServer, `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

function phase(name: string, uri: string, file: string): { seconds: number; peakRssMiB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'phase.ts'), name, uri, file], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; peakRssMiB: number };
}

async function seed(db: ReturnType<MongoClient['db']>) {
  const started = performance.now();
  const themes = Array.from({ length: 40 }, () => new ObjectId());
  const lists = [new ObjectId(), new ObjectId()];
  const admin = new ObjectId();
  const functions = ['coordonnateur-asv', 'coordonnateur-cls', 'elu', 'charge-mission', 'chercheur'];
  let subscriptions = 0;
  for (let start = 0; start < total; start += 1000) {
    const contacts: Document[] = [];
    const subs: Document[] = [];
    for (let i = start; i < Math.min(total, start + 1000); i++) {
      const _id = new ObjectId();
      const createdAt = new Date(Date.UTC(2020, 0, 1) + i * 60_000);
      const commune = String(1001 + (i % 34000)).padStart(5, '0');
      contacts.push({
        _id,
        civility: i % 2 ? 'madame' : 'monsieur',
        firstName: `Prénom${i}`,
        lastName: `Nom-Élargi ${i}`,
        email: `contact.${i}@commune-${i % 5000}.fr`,
        emails: [],
        phones: i % 3 ? ['01 23 45 67 89'] : [],
        function: functions[i % functions.length],
        organisations: [],
        dispositifs: i % 4 ? ['ASV', 'CLS'] : [],
        themes: [themes[i % 40], themes[(i * 7) % 40]],
        territories: [`commune-${commune}`],
        territoryScope: [`commune-${commune}`, `departement-${commune.slice(0, 2)}`, 'region-11'],
        organisationTypes: ['collectivite-commune'],
        notes: i % 10 ? '' : 'Rencontrée aux rencontres nationales ; intéressée par la santé mentale.',
        source: 'import',
        searchText: `prenom${i} nom elargi ${i} contact.${i}@commune-${i % 5000}.fr`,
        sortName: `nom-elargi ${i} prenom${i}`,
        createdBy: admin,
        createdAt,
        updatedAt: createdAt,
      });
      for (const list of i % 3 === 0 ? lists : [lists[0]]) {
        subs.push({
          contact: _id,
          list,
          status: 'subscribed',
          source: 'form',
          consent: { at: createdAt, source: 'form', ip: '198.51.100.7', wording: 'J’accepte de recevoir la lettre mensuelle.', confirmedAt: new Date(createdAt.getTime() + 300_000), confirmedIp: '198.51.100.7' },
          createdAt,
          updatedAt: createdAt,
        });
      }
    }
    await db.collection('contacts').insertMany(contacts, { ordered: false });
    await db.collection('subscriptions').insertMany(subs, { ordered: false });
    subscriptions += subs.length;
  }
  await db.collection('contacts').createIndex({ email: 1 }, { unique: true });
  await db.collection('subscriptions').createIndex({ contact: 1, list: 1 }, { unique: true });
  return { contacts: total, subscriptions, seconds: (performance.now() - started) / 1000 };
}
