import { expect } from 'chai';
import { FeeSchedule, Membership } from '../../server/memberships/membership.model.js';
import { renderMembershipDocument } from '../../server/memberships/membership.certificate.js';
import { clientAs, listPath, resetDatabase, startTestServer, testConfig, type Client, type TestServer } from '../helpers.js';
import { insertContact, insertOrganisation } from './records.js';

describe('memberships', () => {
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    await staff.post('/api/fee-schedules', {
      year: 2025,
      fees: [
        { category: 'association', amount: 100 },
        { category: 'personne-physique', amount: 30 },
        { category: 'collectivite-plus-100000', amount: 500 },
      ],
    });
    await staff.post('/api/fee-schedules', {
      year: 2026,
      fees: [
        { category: 'association', amount: 120 },
        { category: 'personne-physique', amount: 35 },
      ],
    });
  });
  after(() => server.close());

  describe('fee schedules', () => {
    it('refuses a negative fee, naming the field, and writes nothing', async () => {
      const reply = await staff.post('/api/fee-schedules', { year: 2030, fees: [{ category: 'association', amount: -5 }] });
      expect(reply.status).to.equal(400);
      expect(reply.body.error.field).to.equal('fees.0.amount');
      expect(reply.body.error.message).to.match(/négatif/);
      expect(await FeeSchedule.countDocuments({ year: 2030 })).to.equal(0);
    });

    it('refuses a non-numeric fee and an unknown category', async () => {
      const text = await staff.post('/api/fee-schedules', { year: 2030, fees: [{ category: 'association', amount: 'cent' }] });
      expect(text.status).to.equal(400);
      expect(text.body.error.field).to.equal('fees.0.amount');
      expect(text.body.error.message).to.match(/nombre/);
      const unknown = await staff.post('/api/fee-schedules', { year: 2030, fees: [{ category: 'inconnue', amount: 10 }] });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.message).to.match(/inconnue/);
      expect(await FeeSchedule.countDocuments({ year: 2030 })).to.equal(0);
    });

    it('keeps one schedule per year, with default reminder dates on 15 January and 15 March', async () => {
      const again = await staff.post('/api/fee-schedules', { year: 2025, fees: [] });
      expect(again.status).to.equal(409);
      expect(again.body.error.field).to.equal('year');
      const list = await staff.get(listPath('fee-schedules', { sort: ['year', 'ASC'] }));
      expect(list.body.map((s: { year: number }) => s.year)).to.deep.equal([2025, 2026]);
      expect(list.body[0].reminderDates).to.deep.equal(['2025-01-15', '2025-03-15']);
    });
  });

  describe('recording memberships', () => {
    it('takes the fee from the schedule of its year', async () => {
      const association = await insertOrganisation({ name: 'Association Santé Quartiers' });
      const in2025 = await staff.post('/api/memberships', { organisation: String(association._id), year: 2025, category: 'association' });
      const in2026 = await staff.post('/api/memberships', { organisation: String(association._id), year: 2026, category: 'association' });
      expect(in2025.status).to.equal(201);
      expect(in2025.body).to.include({ fee: 100, paymentStatus: 'due', memberKind: 'organisation', memberName: 'Association Santé Quartiers' });
      expect(in2026.body.fee).to.equal(120);
      const person = await insertContact();
      const individual = await staff.post('/api/memberships', { contact: String(person._id), year: 2026, category: 'personne-physique' });
      expect(individual.body.fee).to.equal(35);
      const moved = await staff.put(`/api/memberships/${individual.body.id}`, { year: 2025 });
      expect(moved.body.fee).to.equal(30);
    });

    it('refuses a second membership for the same member and year, and writes nothing', async () => {
      const person = await insertContact();
      const first = await staff.post('/api/memberships', { contact: String(person._id), year: 2025, category: 'personne-physique' });
      expect(first.status).to.equal(201);
      const second = await staff.post('/api/memberships', { contact: String(person._id), year: 2025, category: 'personne-physique', fee: 10 });
      expect(second.status).to.equal(409);
      expect(second.body.error.field).to.equal('year');
      expect(second.body.error.message).to.equal('Ce membre a déjà une adhésion pour 2025.');
      expect(await Membership.countDocuments({ contact: person._id })).to.equal(1);
    });

    it('refuses a membership or a payment on a year with no fee schedule, naming the year', async () => {
      const person = await insertContact();
      const noSchedule = await staff.post('/api/memberships', { contact: String(person._id), year: 2027, category: 'personne-physique', paymentStatus: 'paid' });
      expect(noSchedule.status).to.equal(400);
      expect(noSchedule.body.error.field).to.equal('year');
      expect(noSchedule.body.error.message).to.match(/Aucun barème de cotisation pour 2027/);
      const created = await staff.post('/api/memberships', { contact: String(person._id), year: 2026, category: 'personne-physique' });
      const paidInEmptyYear = await staff.put(`/api/memberships/${created.body.id}`, { year: 2027, paymentStatus: 'paid', paymentMethod: 'cheque' });
      expect(paidInEmptyYear.status).to.equal(400);
      expect(paidInEmptyYear.body.error.field).to.equal('year');
      const stored = await Membership.findById(created.body.id).lean();
      expect(stored).to.include({ year: 2026, paymentStatus: 'due' });
      expect(await Membership.countDocuments({ year: 2027 })).to.equal(0);
    });

    it('refuses a negative or non-numeric fee and operator objects, naming the field', async () => {
      const person = await insertContact();
      for (const fee of [-1, 'douze', { $gt: 0 }]) {
        const reply = await staff.post('/api/memberships', { contact: String(person._id), year: 2025, category: 'personne-physique', fee });
        expect(reply.status).to.equal(400);
        expect(reply.body.error.field).to.equal('fee');
      }
      const operator = await staff.post('/api/memberships', { contact: { $gt: '' }, year: 2025, category: 'personne-physique' });
      expect(operator.status).to.equal(400);
      expect(operator.body.error.field).to.equal('contact');
      const filter = await staff.get(listPath('memberships', { filter: { category: { $gt: '' } } }));
      expect(filter.status).to.equal(400);
      expect(filter.body.error.field).to.equal('filter.category');
      expect(await Membership.countDocuments({ contact: person._id })).to.equal(0);
    });

    it('gives a representative only to a legal-person member', async () => {
      const person = await insertContact();
      const other = await insertContact();
      const reply = await staff.post('/api/memberships', {
        contact: String(person._id),
        representative: String(other._id),
        year: 2025,
        category: 'personne-physique',
      });
      expect(reply.status).to.equal(400);
      expect(reply.body.error.field).to.equal('representative');
    });

    it('lets the board read but not write memberships', async () => {
      const board = (await clientAs(server, 'board')).client;
      expect((await board.get(listPath('memberships'))).status).to.equal(200);
      const person = await insertContact();
      expect((await board.post('/api/memberships', { contact: String(person._id), year: 2025, category: 'personne-physique' })).status).to.equal(403);
    });
  });

  describe('member state', () => {
    it('changes at the Paris new year, not the UTC one', async () => {
      const person = await insertContact();
      await staff.post('/api/memberships', {
        contact: String(person._id),
        year: 2025,
        category: 'personne-physique',
        paymentStatus: 'paid',
        paidAt: '2025-02-10T10:00:00Z',
        paymentMethod: 'virement',
      });
      const stateAt = async (at: string) => (await staff.get(`/api/memberships/state/contact/${person._id}?at=${encodeURIComponent(at)}`)).body.state;
      expect(await stateAt('2025-02-01T10:00:00Z')).to.equal('en-retard'); // recorded, not paid yet
      expect(await stateAt('2025-12-31T22:30:00Z')).to.equal('a-jour'); // 23:30 in Paris, still 2025
      expect(await stateAt('2025-12-31T23:30:00Z')).to.equal('en-retard'); // 00:30 on 1 January 2026 in Paris
      expect(await stateAt('2026-12-31T22:59:59Z')).to.equal('en-retard');
      expect(await stateAt('2026-12-31T23:00:00Z')).to.equal('ancien-membre'); // 2027 in Paris: no 2026 membership
      expect(await stateAt('2024-06-01T00:00:00Z')).to.equal('non-membre');
      await staff.post('/api/memberships', { contact: String(person._id), year: 2026, category: 'personne-physique', paymentStatus: 'waived' });
      expect(await stateAt('2026-01-01T00:00:00Z')).to.equal('a-jour');
    });

    it('shows the state now on every listed membership', async () => {
      const list = await staff.get(listPath('memberships', { filter: { year: 2025 }, range: [0, 99] }));
      expect(list.status).to.equal(200);
      expect(list.headers.get('content-range')).to.match(/^memberships 0-\d+\/\d+$/);
      for (const item of list.body) expect(['a-jour', 'en-retard', 'ancien-membre']).to.include(item.state);
    });
  });

  describe('certificates and receipts', () => {
    it('numbers paid memberships uniquely and sequentially within each year, even when paid at the same time', async () => {
      const memberships = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const organisation = await insertOrganisation();
          return (await staff.post('/api/memberships', { organisation: String(organisation._id), year: 2026, category: 'association' })).body.id as string;
        }),
      );
      const paid = await Promise.all(memberships.map((id) => staff.post(`/api/memberships/${id}/payment`, { paymentMethod: 'virement', paymentReference: `VIR-${id.slice(-4)}` })));
      const numbers = paid.map((reply) => reply.body.certificateNumber as number).sort((a, b) => a - b);
      const before = (await Membership.countDocuments({ year: 2026, certificateNumber: { $exists: true } })) - 12;
      expect(numbers).to.deep.equal(Array.from({ length: 12 }, (_, i) => before + i + 1));
      const again = await staff.post(`/api/memberships/${memberships[0]}/payment`, { paymentMethod: 'cheque' });
      expect(again.body.certificateNumber).to.equal(paid[0].body.certificateNumber); // a number is never given twice
      const other = await insertContact();
      const otherYear = await staff.post('/api/memberships', {
        contact: String(other._id),
        year: 2025,
        category: 'personne-physique',
        paymentStatus: 'paid',
        paymentMethod: 'cheque',
      });
      expect(otherYear.body.certificate).to.match(/^2025-\d{4}$/);
      const removal = await staff.delete(`/api/memberships/${memberships[0]}`);
      expect(removal.status).to.equal(409);
      expect(removal.body.error.field).to.equal('certificateNumber');
    });

    it('prints an attestation and a receipt for a paid membership only', async () => {
      const organisation = await insertOrganisation({ name: 'Ville de Saint-Denis', type: 'commune' });
      const representative = await insertContact({ firstName: 'Karine', lastName: 'Bisson' });
      const created = await staff.post('/api/memberships', {
        organisation: String(organisation._id),
        representative: String(representative._id),
        year: 2025,
        category: 'collectivite-plus-100000',
      });
      const unpaid = await staff.get(`/api/memberships/${created.body.id}/certificate.html`);
      expect(unpaid.status).to.equal(409);
      const paid = await staff.post(`/api/memberships/${created.body.id}/payment`, { paymentMethod: 'mandat-administratif', paidAt: '2025-03-04', paymentReference: 'MA-2025-18' });
      const certificate = await staff.get(`/api/memberships/${created.body.id}/certificate.html`);
      expect(certificate.status).to.equal(200);
      expect(certificate.headers.get('content-type')).to.match(/text\/html/);
      expect(certificate.text).to.include(`Attestation d'adhésion n° ${paid.body.certificate}`);
      expect(certificate.text).to.include('<strong>Ville de Saint-Denis</strong>, représenté·e par Karine Bisson');
      expect(certificate.text).to.include("pour l'année <strong>2025</strong>");
      const receipt = await staff.get(`/api/memberships/${created.body.id}/receipt.html`);
      expect(receipt.text).to.include(`Reçu de cotisation n° ${paid.body.certificate}`);
      expect(receipt.text).to.include('500,00 €');
      expect(receipt.text).to.include('réglée le 4 mars 2025 par mandat administratif (référence MA-2025-18)');
    });

    it('makes both documents real A4 pages: association, member, year, amount, date, method, number, signature place, print button', async () => {
      const organisation = await insertOrganisation({ name: 'Ville de Montreuil', type: 'commune' });
      const president = await insertContact({ firstName: 'Marie', lastName: 'Présidente' });
      await staff.post('/api/memberships', { contact: String(president._id), year: 2025, category: 'personne-physique', boardRoles: ['presidence'] });
      const created = await staff.post('/api/memberships', { organisation: String(organisation._id), year: 2025, category: 'collectivite-plus-100000' });
      const paid = await staff.post(`/api/memberships/${created.body.id}/payment`, { paymentMethod: 'virement', paidAt: '2025-02-10' });
      const certificate = await staff.get(`/api/memberships/${created.body.id}/certificate.html`);
      for (const text of [
        'Fabrique Territoires Santé</strong><br>Fabrique Territoires Santé, 4 rue de la Santé, 75013 Paris',
        '<th scope="row">Membre</th><td>Ville de Montreuil</td>',
        '<th scope="row">Année d’adhésion</th><td>2025</td>',
        '<th scope="row">Montant réglé</th><td>500,00 €</td>',
        '<th scope="row">Date du paiement</th><td>10 février 2025</td>',
        '<th scope="row">Mode de paiement</th><td>Virement</td>',
        `<td class="number">${paid.body.certificate}</td>`,
        'Fait à Paris, le ',
        'Marie Présidente, la présidence',
        'aria-label="Signature"',
        '<button type="button" id="print">Imprimer</button>',
        '<a href="certificate.pdf" download>Télécharger le PDF</a>',
        '@page { size: A4;',
      ]) {
        expect(certificate.text).to.include(text);
      }
      // The print button's script runs under the document's own policy, allowed by its hash only.
      expect(certificate.headers.get('content-security-policy')).to.match(/script-src 'sha256-[A-Za-z0-9+/=]+'/);

      const pdf = await fetch(`${server.url}/api/memberships/${created.body.id}/receipt.pdf`, { headers: { cookie: staff.cookie! } });
      expect(pdf.status).to.equal(200);
      expect(pdf.headers.get('content-type')).to.equal('application/pdf');
      expect(pdf.headers.get('content-disposition')).to.match(new RegExp(`^attachment; filename="?recu-cotisation-${paid.body.certificate}\\.pdf"?$`));
      const bytes = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
      expect(bytes.startsWith('%PDF-')).to.equal(true);
      expect(bytes).to.match(/\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/); // A4 in points
      expect(bytes.match(/\/Type \/Page\b/g)).to.have.length(1);
    });

    it('shows the association\'s logo when ORG_LOGO_URL is set, and answers 409 for the PDF of an unpaid membership', async () => {
      const member = await insertContact({ firstName: 'Lou', lastName: 'Logo' });
      const created = await staff.post('/api/memberships', { contact: String(member._id), year: 2025, category: 'personne-physique' });
      const unpaid = await staff.get(`/api/memberships/${created.body.id}/certificate.pdf`);
      expect(unpaid.status).to.equal(409);
      await staff.post(`/api/memberships/${created.body.id}/payment`, { paymentMethod: 'cheque' });
      const { html } = await renderMembershipDocument(created.body.id, 'certificate', testConfig({ ORG_LOGO_URL: 'https://fabrique-territoires-sante.org/logo.png' }));
      expect(html).to.include('<img src="https://fabrique-territoires-sante.org/logo.png" alt="Logo de Fabrique Territoires Santé">');
    });
  });

  describe('suggested category', () => {
    it('suggests the category from the organisation type and its population, or "personne physique" for a person', async () => {
      const suggest = async (query: string) => (await staff.get(`/api/memberships/suggested-category?${query}`)).body;
      const cases: Array<[{ type: string; territory?: string }, string]> = [
        [{ type: 'commune', territory: 'commune-93066' }, 'collectivite-plus-100000'], // Saint-Denis
        [{ type: 'commune', territory: 'commune-93010' }, 'collectivite-20000-100000'], // Bondy
        [{ type: 'commune', territory: 'commune-01001' }, 'collectivite-moins-20000'],
        [{ type: 'departement', territory: 'departement-48' }, 'collectivite-plus-100000'],
        [{ type: 'association-locale' }, 'association'],
        [{ type: 'ars', territory: 'region-11' }, 'association'],
      ];
      for (const [fields, category] of cases) {
        const organisation = await insertOrganisation(fields);
        const suggestion = await suggest(`organisation=${organisation._id}`);
        expect(suggestion.category, JSON.stringify(fields)).to.equal(category);
        expect(suggestion.reason).to.be.a('string').and.not.equal('');
      }
      expect((await suggest('organisation=commune-93066')).category).to.equal(undefined); // not an id: 400
      const saintDenis = await suggest(`organisation=${(await insertOrganisation({ type: 'commune', territory: 'commune-93066' }))._id}`);
      expect(saintDenis.reason).to.match(/^Saint-Denis : \d{3} \d{3} habitants$/);
      const person = await insertContact();
      expect(await suggest(`contact=${person._id}`)).to.deep.equal({ category: 'personne-physique', reason: 'Adhésion à titre individuel' });
      expect((await staff.get('/api/memberships/suggested-category')).status).to.equal(400);
    });
  });

  describe('board', () => {
    it('lists who holds which board role in a year', async () => {
      const organisation = await insertOrganisation({ name: 'Institut Renaudot' });
      const martine = await insertContact({ firstName: 'Martine', lastName: 'Antoine' });
      const didier = await insertContact({ firstName: 'Didier', lastName: 'Febvrel' });
      await staff.post('/api/memberships', {
        organisation: String(organisation._id),
        representative: String(martine._id),
        year: 2017,
        category: 'association',
        boardRoles: ['conseil-administration', 'bureau', 'co-presidence'],
      }).then((r) => expect(r.status).to.equal(400)); // no schedule for 2017 yet
      await staff.post('/api/fee-schedules', { year: 2017, fees: [{ category: 'association', amount: 80 }, { category: 'personne-physique', amount: 20 }] });
      await staff.post('/api/memberships', {
        organisation: String(organisation._id),
        representative: String(martine._id),
        year: 2017,
        category: 'association',
        boardRoles: ['conseil-administration', 'bureau', 'co-presidence'],
      });
      await staff.post('/api/memberships', { contact: String(didier._id), year: 2017, category: 'personne-physique', boardRoles: ['conseil-administration', 'tresorerie'] });
      const wrongRole = await staff.post('/api/memberships', { contact: String((await insertContact())._id), year: 2017, category: 'personne-physique', boardRoles: ['roi'] });
      expect(wrongRole.status).to.equal(400);
      expect(wrongRole.body.error.field).to.equal('boardRoles');
      const board = await staff.get('/api/memberships/board?year=2017');
      expect(board.body).to.have.length(2);
      expect(board.body[0]).to.include({ name: 'Didier Febvrel', memberKind: 'contact' });
      expect(board.body[0].roles).to.deep.equal(['conseil-administration', 'tresorerie']);
      expect(board.body[1]).to.include({ name: 'Martine Antoine', member: 'Institut Renaudot', memberKind: 'organisation' });
    });
  });
});
