import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose, { Types } from 'mongoose';
import { deriveContactFields, createContact, eraseContact, mergeContacts, removeThemeFromContacts, updateContact } from '../../server/contacts/contact.service.js';
import { FRESH_MS } from '../../server/contacts/contact.index.js';
import type { ContactFilter } from '../../server/contacts/contact.schemas.js';
import { deleteContacts, insertContacts, migrateContacts, newContactDefaults, readContact, updateContacts } from '../../server/contacts/contact.store.js';
import { historyOf } from '../../server/history/history.service.js';
import { resetDatabase } from '../helpers.js';
import { themeIds } from './fixtures.js';

/** Asks another process of the app what its own contact index finds. */
type Asked = { ids?: string[]; page?: Record<string, unknown>[]; error?: string };
type OtherProcess = { ids(filter: ContactFilter): Promise<string[]>; page(filter: ContactFilter): Promise<Record<string, unknown>[]>; stop(): void };

function secondProcess(): Promise<OtherProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./second-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], env: process.env });
  let asked = 0;
  const waiting = new Map<number, (reply: Asked) => void>();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: Asked & { ready?: boolean; ask?: number }) => {
      if (message.ready) resolve({ ids: async (filter) => (await question(filter)).ids!, page: async (filter) => (await question(filter, true)).page!, stop: () => child.disconnect() });
      else waiting.get(message.ask!)?.(message);
    });
  });
  /** Asked once the bound has passed: another process sees a write noted FRESH_MS before its request. */
  async function question(filter: ContactFilter, page = false): Promise<Asked> {
    const ask = ++asked;
    await new Promise((resolve) => setTimeout(resolve, FRESH_MS + 5));
    return new Promise((resolve, reject) => {
      waiting.set(ask, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      child.send({ ask, filter, page });
    });
  }
}

const vias = async (id: unknown) => (await historyOf('contacts', String(id))).map((entry) => `${entry.action} ${entry.via}`);

describe('the contact store: every write reaches the other processes and the history', function () {
  this.timeout(120_000);
  let other: Awaited<ReturnType<typeof secondProcess>>;
  let themes: Record<string, string>;
  const staff = { id: String(new Types.ObjectId()), role: 'staff' as const, name: 'Équipe Test' };

  before(async () => {
    await resetDatabase();
    themes = await themeIds();
    other = await secondProcess();
    await other.ids({}); // its index is loaded before the writes
  });
  after(() => other.stop());

  it('staff create and edit', async () => {
    const contact = await createContact({ firstName: 'Samia', lastName: 'Staff', email: 'samia.staff@exemple.fr' }, staff);
    expect(await other.ids({ q: 'samia' })).to.deep.equal([String(contact._id)]);
    await updateContact(String(contact._id), { lastName: 'Staffeuse', territories: ['commune-93066'] }, staff);
    expect(await other.ids({ q: 'staffeuse', territories: ['departement-93'] })).to.deep.equal([String(contact._id)]);
    expect(await vias(contact._id)).to.deep.equal(['update staff', 'create staff']);
    expect((await historyOf('contacts', String(contact._id)))[0].actorName).to.equal('Équipe Test');
  });

  it('staff edit a contact another process has just shown in a page: its page shows the edit', async () => {
    const contact = await createContact({ firstName: 'Paule', lastName: 'Avant', email: 'paule.page@exemple.fr' }, staff);
    expect((await other.page({ q: 'paule' })).map((doc) => doc.lastName)).to.deep.equal(['Avant']);
    expect((await other.page({ q: 'paule' })).map((doc) => doc.lastName)).to.deep.equal(['Avant']); // from its memory now
    await updateContact(String(contact._id), { lastName: 'Après' }, staff);
    expect((await other.page({ q: 'paule' })).map((doc) => doc.lastName)).to.deep.equal(['Après']);
  });

  it('an import (batch insert and update) and its undo', async () => {
    const importId = new Types.ObjectId();
    const doc = await deriveContactFields({ ...newContactDefaults(), _id: new Types.ObjectId(), email: 'ines.import@exemple.fr', firstName: 'Inès', lastName: 'Import', createdAt: new Date(), updatedAt: new Date() });
    await insertContacts([doc], { actor: staff, via: `import:${importId}` });
    expect(await other.ids({ q: 'ines import' })).to.deep.equal([String(doc._id)]);
    const before = (await readContact(doc._id)) as never;
    await updateContacts([{ before, $set: { function: 'elu' } }], { via: `import:${importId}` });
    expect(await other.ids({ functions: ['elu'] })).to.deep.equal([String(doc._id)]);
    await updateContacts([{ before: (await readContact(doc._id)) as never, $set: {}, $unset: { function: '' } }], { via: `import-undo:${importId}` });
    expect(await other.ids({ functions: ['elu'] })).to.deep.equal([]);
    await deleteContacts([doc._id], { via: `import-undo:${importId}` });
    expect(await other.ids({ q: 'ines' })).to.deep.equal([]);
    expect(await vias(doc._id)).to.deep.equal([`delete import-undo:${importId}`, `update import-undo:${importId}`, `update import:${importId}`, `create import:${importId}`]);
  });

  it('a merge', async () => {
    const kept = await createContact({ firstName: 'Marc', lastName: 'Fusion', email: 'marc.fusion@exemple.fr' }, staff);
    const absorbed = await createContact({ firstName: 'Marc', lastName: 'Fusion', email: 'm.fusion@autre.fr', phones: ['0102030405'] }, staff);
    await mergeContacts(String(kept._id), String(absorbed._id), staff);
    expect(await other.ids({ q: 'fusion' })).to.deep.equal([String(kept._id)]);
    expect(await other.ids({ q: 'autre' })).to.deep.equal([String(kept._id)]); // the absorbed address is the kept contact's now
    expect((await vias(kept._id))[0]).to.equal('merge merge');
  });

  it('a theme deletion', async () => {
    const contact = await createContact({ firstName: 'Théo', lastName: 'Thème', email: 'theo.theme@exemple.fr', themes: [themes.habitat] }, staff);
    expect(await other.ids({ themes: [themes.habitat] })).to.include(String(contact._id));
    await removeThemeFromContacts(new Types.ObjectId(themes.habitat), staff);
    expect(await other.ids({ themes: [themes.habitat] })).to.deep.equal([]);
    const [latest] = await historyOf('contacts', String(contact._id));
    expect([latest.action, latest.via, latest.changes.map((c) => c.field)]).to.deep.equal(['update', 'theme-deletion', ['themes']]);
  });

  it('a migration', async () => {
    const contact = await createContact({ firstName: 'Mia', lastName: 'Migration', email: 'mia.migration@exemple.fr' }, staff);
    await migrateContacts(mongoose.connection.db!, { _id: contact._id }, { $set: { dispositifs: ['asv'] } }, { via: 'migration:99' });
    expect(await other.ids({ dispositifs: ['asv'] })).to.deep.equal([String(contact._id)]);
    expect((await vias(contact._id))[0]).to.equal('update migration:99');
  });

  it('an erasure', async () => {
    const contact = await createContact({ firstName: 'Éloïse', lastName: 'Effacée', email: 'eloise.effacee@exemple.fr' }, staff);
    await eraseContact(String(contact._id), staff);
    expect(await other.ids({ q: 'eloise' })).to.deep.equal([]);
    const [latest, creation] = await historyOf('contacts', String(contact._id));
    expect([latest.action, latest.via]).to.deep.equal(['erase', 'erasure']);
    expect(creation.changes.every((c) => c.before === null && c.after === null)).to.equal(true); // the values are forgotten
  });
});
