import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { clientAs, resetDatabase, startTestServer, TEST_SECRET, type Client, type TestServer } from '../helpers.js';
import { seed2017Report } from './report-2017.data.js';

const run = promisify(execFile);

describe('activity report on data shaped like the 2017 report', () => {
  let server: TestServer;
  let board: Client;
  let markdown: string;
  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await seed2017Report();
    server = await startTestServer();
    board = (await clientAs(server, 'board')).client;
    markdown = (await board.get('/api/reports/activity?year=2017&format=md')).text;
    if (process.env.SHOW_REPORT) console.log(markdown);
  });
  after(() => server.close());

  it('counts the 63 solicitations of 2017 and the 50 of 2016, at Paris year boundaries', async () => {
    const reply = await board.get('/api/reports/activity?year=2017');
    expect(reply.status).to.equal(200);
    const s = reply.body.solicitations;
    expect(s).to.include({ total: 63, previousTotal: 50, members: 6, memberShare: 9.5, answered: 63, medianDaysToAnswer: 2 });
    expect(reply.body.period).to.deep.equal({ start: '2016-12-31T23:00:00.000Z', end: '2017-12-31T23:00:00.000Z', timeZone: 'Europe/Paris' });
    const next = (await board.get('/api/reports/activity?year=2018')).body.solicitations;
    expect(next.total).to.equal(1); // 00:30 on 1 January 2018 in Paris
  });

  it('gives shares by type and by requester type with the change in points', async () => {
    const { byType, byRequesterType } = (await board.get('/api/reports/activity?year=2017')).body.solicitations;
    const jobs = byType.find((r: { code: string }) => r.code === 'relais-emploi');
    expect(jobs).to.deep.include({ label: "Relais d'offre d'emploi", count: 9, share: 14.3, previousCount: 15, previousShare: 30, changePoints: -15.7 });
    const training = byType.find((r: { code: string }) => r.code === 'formation');
    expect(training).to.include({ count: 3, previousCount: 0 });
    const authorities = byRequesterType.find((r: { code: string }) => r.code === 'collectivite');
    expect(authorities).to.include({ count: 20, share: 31.7, previousShare: 34 });
    const local = byRequesterType.find((r: { code: string }) => r.code === 'association-locale');
    expect(local).to.include({ count: 13, share: 20.6 });
    expect(byType.reduce((sum: number, r: { count: number }) => sum + r.count, 0)).to.equal(63);
  });

  it("prints the solicitations in the report's own sentences", () => {
    expect(markdown).to.include(
      "Fabrique Territoires Santé a reçu 63 sollicitations en 2017 (contre 50 en 2016), émanant d'acteurs locaux ou nationaux, adhérents ou non : 10 % proviennent d'adhérent·es.",
    );
    expect(markdown).to.include(
      "Quelques évolutions sont à noter par rapport à l'année précédente. La part des demandes de diffusion d'une offre d'emploi a baissé (de 30 à 14 %), tandis que la part des demandes de mise en lien a augmenté (de 6 à 16 %).",
    );
    expect(markdown).to.include("De plus, sont apparues en 2017 des demandes de formation ou d'enseignement.");
    expect(markdown).to.include("Près d'un tiers de ces sollicitations (32 %) viennent de collectivités locales ; 21 % proviennent d'associations locales.");
    expect(markdown).to.include("Notons que les demandes émanant d'associations ou de structures nationales ont augmenté par rapport à 2016 (de 6 à 14 %).");
    expect(markdown).to.include("Sont apparues en 2017 des demandes émanant de structures de formation ou d'enseignement.");
    expect(markdown).to.include('Le délai médian de réponse est de 2 jours (63 demandes répondues).');
  });

  it('prints the tables with counts, shares and changes', () => {
    expect(markdown).to.include('| Type de demande | Sollicitations | Part | Part en 2016 | Évolution |');
    expect(markdown).to.include("| Relais d'offre d'emploi | 9 | 14 % | 30 % | −16 pt |");
    expect(markdown).to.include('| Mise en lien | 10 | 16 % | 6 % | +10 pt |');
    expect(markdown).to.include('| Formation / enseignement | 3 | 5 % | 0 % | +5 pt |');
    expect(markdown).to.include('| Collectivité | 20 | 32 % | 34 % | −2 pt |');
  });

  it('counts 43 members, a third of them local authorities, and the dues collected', async () => {
    const members = (await board.get('/api/reports/activity?year=2017')).body.members;
    expect(members).to.include({ total: 43, previousTotal: 43, legalPersons: 30, naturalPersons: 13, localAuthorities: 14, localAuthorityShare: 32.6, unpaid: 2 });
    expect(members.duesCollected).to.equal(14 * 150 + 16 * 80 + 10 * 20);
    expect(markdown).to.include(
      "En 2017, Fabrique Territoires Santé compte 43 membres adhérent·es — dont 30 personnes morales et 13 personnes physiques. Près d'un tiers (33 %) sont des collectivités locales. C'est autant qu'en 2016.",
    );
    expect(markdown).to.include('Cotisations encaissées : 3 580 € ; 2 adhésions restent à régler.');
    expect(markdown).to.include('| Collectivité — commune | 10 | 23 % |');
    expect(markdown).to.include('| Personnes physiques | 13 | 30 % |');
  });

  it('prints contacts, lists, newsletters and news like the report', () => {
    expect(markdown).to.include(
      "Au 31 décembre 2017, Fabrique Territoires Santé dispose d'un listing de 52 contacts (+30 % par rapport à 2016), dont 75 % qualifiés avec des entrées thématiques et territoriales.",
    );
    expect(markdown).to.include('dont la plus large (« Informations du réseau ») contient 1 250 contacts (+25 %).');
    expect(markdown).to.include('En 2017, 10 newsletters mensuelles ont été envoyées.');
    expect(markdown).to.include(
      "La newsletter est envoyée à 900 contacts volontairement inscrits, soit 400 contacts de plus que l'an dernier : 420 inscriptions et 20 désinscriptions dans l'année (en moyenne 35 et 1,7 par mois).",
    );
    expect(markdown).to.include('En 2017, 48 actualités ont été diffusées par le site et la newsletter.');
    expect(markdown).to.include("| Offres d'emploi | 12 | 25 % |");
  });

  it('exports the same figures as CSV for a spreadsheet', async () => {
    const reply = await board.get('/api/reports/activity?year=2017&format=csv');
    expect(reply.headers.get('content-type')).to.match(/^text\/csv/);
    expect(reply.headers.get('content-disposition')).to.include('rapport-activite-2017.csv');
    const lines = reply.text.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).to.equal('section;indicateur;code;libellé;valeur;part (%);part année précédente (%);évolution (points)');
    expect(lines).to.include("sollicitations;par type;relais-emploi;Relais d'offre d'emploi;9;14,3;30;-15,7");
    expect(lines).to.include('adhérents;total;;;43;;;');
  });

  it('prints a year without any activity without failing', async () => {
    const reply = await board.get('/api/reports/activity?year=2030&format=md');
    expect(reply.status).to.equal(200);
    expect(reply.text).to.include("Aucune sollicitation n'a été enregistrée en 2030.");
    expect(reply.text).to.include("Aucune adhésion n'est enregistrée pour 2030.");
    expect(reply.text).to.include("Aucune newsletter n'a été envoyée par Maillage en 2030.");
    expect(reply.text).not.to.include('NaN');
  });

  it('refuses a missing or malformed year, naming the field', async () => {
    for (const query of ['', '?year=deux-mille', '?year=2017&format=docx', '?year=2017&extra=1']) {
      const reply = await board.get(`/api/reports/activity${query}`);
      expect(reply.status, query).to.equal(400);
    }
    expect((await board.get('/api/reports/activity?year=abc')).body.error.field).to.equal('year');
    expect((await board.get('/api/reports/activity?year=2017&format=docx')).body.error.field).to.equal('format');
  });

  it('prints the same report from the command line', async function () {
    this.timeout(60_000);
    const env = { ...process.env, NODE_ENV: 'test', MONGODB_URI: process.env.TEST_MONGODB_URI!, SECRET: TEST_SECRET, DEMO_DATA: 'off', LOG_LEVEL: 'silent' };
    const { stdout } = await run('npx', ['tsx', 'scripts/report.ts', '2017', '--format', 'md'], { env });
    expect(stdout).to.include("Fabrique Territoires Santé a reçu 63 sollicitations en 2017 (contre 50 en 2016)");
    const bad = await run('npx', ['tsx', 'scripts/report.ts', 'vingt'], { env }).catch((error: { code: number; stderr: string }) => error);
    expect((bad as { code: number }).code).to.equal(2);
    expect((bad as { stderr: string }).stderr).to.include('Usage : npm run report -- AAAA');
  });
});
