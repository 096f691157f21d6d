import { expect } from 'chai';
import { Theme } from '../../server/themes/theme.model.js';
import { resolveThemeLabel, themeDescendants } from '../../server/themes/theme.service.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('the theme tree', () => {
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
  });
  after(() => server.close());

  it('is seeded from the reference data, with sub-themes under "Cadre de vie"', async () => {
    const reply = await staff.get(listPath('themes', { filter: { q: 'cadre' } }));
    expect(reply.status).to.equal(200);
    const cadreDeVie = reply.body[0];
    const children = await staff.get(listPath('themes', { filter: { parent: cadreDeVie.id }, sort: ['name', 'ASC'] }));
    expect(children.body.map((t: { code: string }) => t.code)).to.deep.equal(['habitat', 'sante-environnement', 'urbanisme-favorable']);
  });

  it('lets staff add a sub-theme, move it with its own children, and counts descendants', async () => {
    const parent = await Theme.findOne({ code: 'sante-jeunes' }).lean();
    const created = await staff.post('/api/themes', { code: 'sante-etudiants', name: 'Santé des étudiants', parent: String(parent!._id) });
    expect(created.status).to.equal(201);
    const grandChild = await staff.post('/api/themes', { code: 'sante-mentale-etudiants', name: 'Santé mentale des étudiants', parent: created.body.id });
    expect(await themeDescendants([String(parent!._id)])).to.include.members([created.body.id, grandChild.body.id]);

    const precarite = await Theme.findOne({ code: 'precarite' }).lean();
    const moved = await staff.put(`/api/themes/${created.body.id}`, { ...created.body, parent: String(precarite!._id) });
    expect(moved.status).to.equal(200);
    expect(await themeDescendants([String(precarite!._id)])).to.include.members([created.body.id, grandChild.body.id]);
    expect(await themeDescendants([String(parent!._id)])).to.deep.equal([String(parent!._id)]);
  });

  it('refuses to put a theme under its own descendant', async () => {
    const cadre = await Theme.findOne({ code: 'cadre-vie' }).lean();
    const habitat = await Theme.findOne({ code: 'habitat' }).lean();
    const reply = await staff.put(`/api/themes/${cadre!._id}`, { parent: String(habitat!._id) });
    expect(reply.status).to.equal(400);
    expect(reply.body.error.field).to.equal('parent');
  });

  it('resolves a theme from its code or its name without accents', async () => {
    expect((await resolveThemeLabel('sante mentale'))?.code).to.equal('sante-mentale');
    expect((await resolveThemeLabel('Accès aux droits et dématérialisation'))?.code).to.equal('acces-droits');
    expect((await resolveThemeLabel('habitat'))?.code).to.equal('habitat');
    expect(await resolveThemeLabel('astronomie')).to.equal(undefined);
  });

  it('rejects a duplicate code with 409, a bad parent and an operator object with 400', async () => {
    expect((await staff.post('/api/themes', { code: 'habitat', name: 'Doublon' })).status).to.equal(409);
    const badParent = await staff.post('/api/themes', { code: 'x', name: 'X', parent: '0123456789abcdef01234567' });
    expect(badParent.status).to.equal(400);
    expect(badParent.body.error.field).to.equal('parent');
    const operator = await staff.post('/api/themes', { code: 'y', name: { $gt: '' } });
    expect(operator.status).to.equal(400);
    expect(operator.body.error.field).to.equal('name');
    expect(await Theme.exists({ code: { $in: ['x', 'y'] } })).to.equal(null);
  });

  it('refuses to delete a theme that has sub-themes, deletes a leaf', async () => {
    const cadre = await Theme.findOne({ code: 'cadre-vie' }).lean();
    expect((await staff.delete(`/api/themes/${cadre!._id}`)).status).to.equal(409);
    const habitat = await Theme.findOne({ code: 'habitat' }).lean();
    expect((await staff.delete(`/api/themes/${habitat!._id}`)).status).to.equal(200);
    expect(await Theme.exists({ code: 'habitat' })).to.equal(null);
  });
});
