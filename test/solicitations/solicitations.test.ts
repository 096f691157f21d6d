import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { createFeeSchedule, createMembership } from '../../server/memberships/membership.service.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import type { Actor } from '../../server/users/user.service.js';
import { clientAs, listPath, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { insertContact, insertOrganisation } from '../memberships/records.js';

const actor: Actor = { id: '64b000000000000000000001', role: 'staff', name: 'Test' };

describe('solicitations (staff)', () => {
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    for (const year of [2024, 2025, 2026, 2027]) {
      await createFeeSchedule({ year, fees: [{ category: 'personne-physique', amount: 30 }, { category: 'association', amount: 100 }] });
    }
  });
  after(() => server.close());

  it('creates the requester from an unknown e-mail, then matches it whatever the case', async () => {
    const first = await staff.post('/api/solicitations', {
      receivedAt: '2025-03-03T09:00:00Z',
      channel: 'email',
      requesterEmail: 'Coordo.CLS@Ville-Exemple.fr',
      requesterFirstName: 'Nadia',
      requesterLastName: 'Haddad',
      requesterType: 'collectivite',
      type: 'information',
      subject: 'Diagnostic local de santé',
    });
    expect(first.status).to.equal(201);
    expect(first.body).to.include({ status: 'new', statusLabel: 'Nouvelle', requesterName: 'Nadia Haddad', requesterEmail: 'coordo.cls@ville-exemple.fr', isMember: false });
    const second = await staff.post('/api/solicitations', { channel: 'telephone', requesterEmail: 'coordo.cls@ville-exemple.FR', type: 'mise-en-lien' });
    expect(second.body.requester).to.equal(first.body.requester);
    expect(await Contact.countDocuments({ email: 'coordo.cls@ville-exemple.fr' })).to.equal(1);
  });

  it('computes member-or-not at the received date, and again when that date changes', async () => {
    const person = await insertContact({ firstName: 'Sandra', lastName: 'Essid' });
    await createMembership({ contact: String(person._id), year: 2025, category: 'personne-physique', paymentStatus: 'paid', paymentMethod: 'cheque', paidAt: new Date('2025-01-20T10:00:00Z') }, actor);
    const at = async (receivedAt: string) =>
      (await staff.post('/api/solicitations', { receivedAt, channel: 'email', requester: String(person._id), type: 'information' })).body;
    expect((await at('2024-06-01T10:00:00Z')).isMember).to.equal(false); // before her first membership
    expect((await at('2025-01-10T10:00:00Z')).isMember).to.equal(true); // 2025 recorded, payment pending: still a member
    expect((await at('2025-06-01T10:00:00Z')).isMember).to.equal(true);
    expect((await at('2026-05-01T10:00:00Z')).isMember).to.equal(true); // renewal pending
    const late = await at('2027-02-01T10:00:00Z');
    expect(late.isMember).to.equal(false); // former member
    const moved = await staff.put(`/api/solicitations/${late.id}`, { receivedAt: '2025-12-31T22:30:00Z' }); // 23:30 in Paris, 2025
    expect(moved.body.isMember).to.equal(true);
  });

  it('counts a requester as member through its organisation or as its representative', async () => {
    const city = await insertOrganisation({ name: 'Ville de Rosny-sous-Bois', type: 'commune' });
    const employee = await insertContact({ organisations: [city._id] });
    const representative = await insertContact();
    await createMembership({ organisation: String(city._id), representative: String(representative._id), year: 2026, category: 'association', paymentStatus: 'waived' }, actor);
    for (const requester of [employee, representative]) {
      const reply = await staff.post('/api/solicitations', { receivedAt: '2026-04-01T08:00:00Z', channel: 'email', requester: String(requester._id), type: 'collaboration' });
      expect(reply.body.isMember).to.equal(true);
    }
  });

  it('dates the answer when the status becomes answered, and lists by status', async () => {
    const created = await staff.post('/api/solicitations', { receivedAt: '2026-02-02T08:00:00Z', channel: 'formulaire', type: 'relais-emploi', requesterType: 'association-locale' });
    const inProgress = await staff.put(`/api/solicitations/${created.body.id}`, { status: 'in-progress', timeSpentMinutes: 20 });
    expect(inProgress.body).to.include({ status: 'in-progress', timeSpentMinutes: 20 });
    expect(inProgress.body.answeredAt).to.equal(undefined);
    const answered = await staff.put(`/api/solicitations/${created.body.id}`, { ...inProgress.body, status: 'answered', answer: 'Offre relayée dans la lettre de mars.' });
    expect(answered.status).to.equal(200);
    expect(answered.body.answeredAt).to.be.a('string');
    const list = await staff.get(listPath('solicitations', { filter: { status: 'answered' }, sort: ['receivedAt', 'DESC'] }));
    expect(list.body.map((s: { id: string }) => s.id)).to.deep.equal([created.body.id]);
    const counts = await staff.get('/api/solicitations/by-status');
    const byStatus = Object.fromEntries(counts.body.map((c: { status: string; count: number }) => [c.status, c.count]));
    expect(byStatus).to.deep.equal({ new: await Solicitation.countDocuments({ status: 'new' }), 'in-progress': 0, answered: 1, closed: 0 });
    expect(counts.body[0]).to.include({ status: 'new', label: 'Nouvelle' });
  });

  it('refuses unknown values, negative times and operators, naming the field and writing nothing', async () => {
    const before = await Solicitation.countDocuments();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ channel: 'pigeon', type: 'information' }, 'channel'],
      [{ channel: 'email', type: 'inconnu' }, 'type'],
      [{ channel: 'email', type: 'information', timeSpentMinutes: -10 }, 'timeSpentMinutes'],
      [{ channel: 'email', type: 'information', territory: 'commune-00000' }, 'territory'],
      [{ channel: 'email', type: { $gt: '' } }, 'type'],
      [{ channel: 'email', requesterEmail: 'pas-une-adresse' }, 'requesterEmail'],
    ];
    for (const [body, field] of cases) {
      const reply = await staff.post('/api/solicitations', body);
      expect(reply.status, field).to.equal(400);
      expect(reply.body.error.field).to.equal(field);
    }
    const filter = await staff.get(listPath('solicitations', { filter: { status: { $ne: 'new' } } }));
    expect(filter.status).to.equal(400);
    expect(await Solicitation.countDocuments()).to.equal(before);
  });

  it('records a caller without an e-mail with name, organisation and phone, and creates no contact', async () => {
    const contacts = await Contact.countDocuments();
    const reply = await staff.post('/api/solicitations', {
      channel: 'telephone',
      requesterFirstName: 'Joël',
      requesterLastName: 'Marchand',
      requesterPhone: '06 12 34 56 78',
      organisationName: 'Mairie de Bondy',
      type: 'information',
      subject: 'Rappeler pour le CLS',
    });
    expect(reply.status).to.equal(201);
    expect(reply.body).to.include({ requesterName: 'Joël Marchand', requesterPhone: '06 12 34 56 78', organisationName: 'Mairie de Bondy' });
    expect(reply.body.requester).to.equal(undefined);
    expect(await Contact.countDocuments()).to.equal(contacts);
    const found = await staff.get(listPath('solicitations', { filter: { q: 'marchand' } }));
    expect(found.body.map((s: { id: string }) => s.id)).to.deep.equal([reply.body.id]);
  });

  it('lists the staff who can be assigned work, readable by staff and board but not by anyone logged out', async () => {
    const { client: board, user: boardUser } = await clientAs(server, 'board');
    const { user: admin } = await clientAs(server, 'admin');
    const reply = await staff.get('/api/users/assignable');
    expect(reply.status).to.equal(200);
    const ids = reply.body.map((u: { id: string }) => u.id);
    expect(ids).to.include(admin.id);
    expect(ids, 'a read-only board member is given no work').not.to.include(boardUser.id);
    expect(reply.body[0]).to.have.all.keys('id', 'name');
    const boardIds = (await board.get('/api/users/assignable')).body.map((u: { id: string }) => u.id);
    expect(boardIds).to.deep.equal(ids);
    const assigned = await staff.post('/api/solicitations', { channel: 'email', type: 'information', assignee: ids[0] });
    expect(assigned.body.assignee).to.equal(ids[0]);
    const anonymous = await fetch(`${server.url}/api/users/assignable`);
    expect(anonymous.status).to.equal(401);
  });
});
