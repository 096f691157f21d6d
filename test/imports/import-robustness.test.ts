import { expect } from 'chai';
import mongoose from 'mongoose';
import { rm } from 'node:fs/promises';
import { IMPORT_COMMIT } from '../../jobs/import-commit.job.js';
import { Import } from '../../server/imports/import.model.js';
import { MAX_COMMIT_ATTEMPTS, requestCommit } from '../../server/imports/import.service.js';
import { clientAs, resetDatabase, slowUpload, startTestServer, type Client, type TestServer } from '../helpers.js';
import { uploadForm, waitForImport } from './import-helpers.js';

const HEADER = 'Courriel;Prénom;Nom\r\n';
const csv = (...lines: string[]) => HEADER + lines.map((line) => `${line}\r\n`).join('');

/** The Agenda record of an import's commit job, once it has run. */
async function commitJob(importId: string) {
  for (let i = 0; i < 100; i++) {
    const job = await mongoose.connection.db!.collection('jobs').findOne({ name: IMPORT_COMMIT, 'data.importId': importId });
    if (job?.lastFinishedAt) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the commit job never finished');
}

describe('imports: bad files and lost files never stop the app', () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer({ jobs: true, env: { IMPORT_MAX_MB: '1' } });
    client = (await clientAs(server, 'staff')).client;
  });
  after(() => server.close());

  const alive = async () => expect((await client.get('/api/health/live')).status).to.equal(200);
  const upload = (name: string, data: Buffer | string) => client.post('/api/imports', uploadForm(name, data));

  it('refuses a file with a cell over 100,000 characters, naming its line; the import is failed and cannot be committed', async () => {
    const reply = await upload('cellule.csv', csv('lea@exemple.fr;Léa;Martin', `marc@exemple.fr;${'x'.repeat(150_000)};Durand`));
    expect(reply.status, reply.text).to.equal(400);
    expect(reply.body.error.message).to.match(/^Ligne 3 : une cellule dépasse 100\s000 caractères\./);
    expect(reply.body.error.field).to.equal('file');
    await alive();

    const failed = await Import.findOne({ fileName: 'cellule.csv' }).lean();
    expect(failed).to.include({ status: 'failed' });
    expect(failed!.failure).to.match(/Ligne 3/);
    const commit = await client.post(`/api/imports/${failed!._id}/commit`);
    expect(commit.status).to.equal(409);
    expect(commit.body.error.message).to.match(/Le contrôle de ce fichier a échoué : Ligne 3.*ne peut pas être validé/);
    const preview = await client.post(`/api/imports/${failed!._id}/preview`, { delimiter: ',' });
    expect(preview.status).to.equal(409);
  });

  it('names the line of a quote never closed, which would pull the rest of the file into one cell', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `personne${i}@exemple.fr;Prénom ${i};Nom ${i}`);
    const reply = await upload('guillemet.csv', csv('lea@exemple.fr;Léa;Martin', 'marc@exemple.fr;"Marc;Durand', ...rows));
    expect(reply.status, reply.text).to.equal(400);
    expect(reply.body.error.message).to.match(/^Ligne 3 : .*guillemet ouvert/);
    await alive();
  });

  it('answers preview and commit of an import whose file vanished with a French error, and marks it failed', async () => {
    const reply = await upload('perdu.csv', csv('lea@exemple.fr;Léa;Martin'));
    expect(reply.status, reply.text).to.equal(201);
    const doc = await Import.findById(reply.body.id).lean();
    await rm(doc!.filePath);

    const preview = await client.post(`/api/imports/${reply.body.id}/preview`, { policy: 'overwrite' });
    expect(preview.status).to.equal(409);
    expect(preview.body.error).to.include({ code: 'file_missing', field: 'file' });
    expect(preview.body.error.message).to.equal('Le fichier de cet import n’est plus sur le serveur : importez-le à nouveau.');
    const commit = await client.post(`/api/imports/${reply.body.id}/commit`);
    expect(commit.status).to.equal(409);
    const shown = await client.get(`/api/imports/${reply.body.id}`);
    expect(shown.body).to.include({ status: 'failed', failure: 'Le fichier de cet import n’est plus sur le serveur : importez-le à nouveau.' });
    await alive();
  });

  it('fails the commit job of an import whose file vanished once queued, with its reason, and does not run it again', async () => {
    const reply = await upload('file-job.csv', csv('lea@exemple.fr;Léa;Martin'));
    const doc = await requestCommit(reply.body.id);
    await rm(doc.filePath);
    await server.ctx.scheduler.agenda.now(IMPORT_COMMIT, { importId: reply.body.id });

    const failed = await waitForImport(client, reply.body.id, ['failed']);
    expect(failed.failure).to.equal('Le fichier de cet import n’est plus sur le serveur : importez-le à nouveau.');
    const job = await commitJob(reply.body.id);
    expect(job.failReason).to.equal(failed.failure);
    expect(job.nextRunAt).to.equal(null);
    await alive();
  });

  it(`stops a commit interrupted ${MAX_COMMIT_ATTEMPTS} times (the process died each time) and says why`, async () => {
    const reply = await upload('interrompu.csv', csv('lea@exemple.fr;Léa;Martin'));
    await requestCommit(reply.body.id);
    // what three runs cut short by a dying process leave behind
    await Import.updateOne({ _id: reply.body.id }, { $set: { status: 'running', attempts: MAX_COMMIT_ATTEMPTS } });
    await server.ctx.scheduler.agenda.now(IMPORT_COMMIT, { importId: reply.body.id });

    const failed = await waitForImport(client, reply.body.id, ['failed']);
    expect(failed.failure).to.equal(`La validation a été interrompue ${MAX_COMMIT_ATTEMPTS} fois sans aboutir : elle est arrêtée. Relancez-la une fois la cause corrigée.`);
    expect((await commitJob(reply.body.id)).failReason).to.equal(failed.failure);
    expect(failed.counts.created).to.equal(0);

    // staff relaunch it: the count starts again
    const again = await client.post(`/api/imports/${reply.body.id}/commit`);
    expect(again.status, again.text).to.equal(202);
    expect((await waitForImport(client, reply.body.id)).status).to.equal('done');
  });

  it('refuses a file that is not text (a spreadsheet, a UTF-16 export) in French, keeping nothing', async () => {
    const before = await Import.countDocuments();
    const xlsx = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.alloc(2000, 7)]);
    const reply = await upload('contacts.xlsx', xlsx);
    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.include({ field: 'file', message: 'Ce fichier n’est pas un fichier texte : enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) » puis importez-le.' });
    const utf16 = Buffer.from('\ufeffCourriel\tNom\r\nlea@exemple.fr\tMartin\r\n', 'utf16le');
    expect((await upload('unicode.txt', utf16)).status).to.equal(400);
    expect(await Import.countDocuments()).to.equal(before);
  });

  for (const name of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses « ${name} » as a column header or a preset name, in French`, async () => {
      const reply = await upload('entetes.csv', `Courriel;${name};Nom\r\nlea@exemple.fr;x;Martin\r\n`);
      expect(reply.status).to.equal(400);
      expect(reply.body.error.message).to.equal(`Ligne 1 : la colonne 2 s’appelle « ${name} », un nom réservé. Renommez-la puis importez le fichier à nouveau.`);
      const mailchimp = await upload('mailchimp.csv', `Email Address;First Name;LEID;${name}\r\nlea@exemple.fr;Léa;1;x\r\n`);
      expect(mailchimp.status).to.equal(400);

      const preset = await client.post('/api/imports/presets', { name, columns: [{ header: 'Courriel', field: 'email' }] });
      expect(preset.status).to.equal(400);
      expect(preset.body.error.message).to.equal('Champ « name » : nom réservé, choisissez-en un autre');
      const column = await client.post('/api/imports/presets', { name: `Modèle ${name}`, columns: [{ header: name, field: 'email' }] });
      expect(column.status).to.equal(400);
      expect(column.body.error.message).to.equal('Champ « columns.0.header » : nom réservé, choisissez-en un autre');
      const ok = await upload('ok.csv', csv('lea@exemple.fr;Léa;Martin'));
      const usePreset = await client.post(`/api/imports/${ok.body.id}/preview`, { preset: name });
      expect(usePreset.status).to.equal(400);
      expect(usePreset.body.error.field).to.equal('preset');
      const mapping = await client.post(`/api/imports/${ok.body.id}/preview`, { mapping: JSON.parse(`{"${name}": "email", "Courriel": "email"}`) });
      if (name === '__proto__') {
        // zod drops a `__proto__` key by itself: the rest of the mapping applies (the columns it does not name keep theirs)
        expect(mapping.status, mapping.text).to.equal(200);
        expect(mapping.body.mapping.map((m: { field: string }) => m.field)).to.deep.equal(['email', 'firstName', 'lastName']);
      } else {
        expect(mapping.status).to.equal(400);
        expect(mapping.body.error.message).to.match(/^Champ « mapping/);
      }
    });
  }

  it('answers 413 to an announced upload over the limit at once, reading nothing', async () => {
    const started = Date.now();
    const reply = await slowUpload(`${server.url}/api/imports`, client.cookie!, { limitBytes: 1024 * 1024, announce: 50 * 1024 * 1024, totalBytes: 50 * 1024 * 1024 });
    expect(reply.status).to.equal(413);
    expect(JSON.parse(reply.body).error.message).to.equal('Le fichier dépasse 1 Mo.');
    expect(Date.now() - started).to.be.below(2000);
  });

  it('answers 413 within 2 s of an upload passing the limit, while the client keeps sending', async () => {
    const reply = await slowUpload(`${server.url}/api/imports`, client.cookie!, { limitBytes: 1024 * 1024, totalBytes: 64 * 1024 * 1024 });
    expect(reply.status).to.equal(413);
    expect(JSON.parse(reply.body).error).to.include({ code: 'too_large', field: 'file' });
    expect(reply.passedLimitAt, 'the limit was passed').to.be.a('number');
    expect(reply.answeredAt - reply.passedLimitAt!).to.be.below(2000);
    expect(reply.sentBytes, 'the client was still sending when answered').to.be.below(64 * 1024 * 1024);
    await alive();
  });
});
