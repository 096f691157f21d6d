import { expect } from 'chai';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { seed2025Report } from './report-2025.data.js';

/** The report's sentences in a year with nothing to compare with: the base's first year, shaped like 2025. */
describe('activity report on data shaped like the 2025 report (no previous year)', () => {
  let server: TestServer;
  let staff: Client;
  let markdown: string;
  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await seed2025Report();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    markdown = (await staff.get('/api/reports/activity?year=2025&format=md')).text;
    if (process.env.SHOW_REPORT) console.log(markdown);
  });
  after(() => server.close());

  const prose = () => markdown.split('\n').filter((line) => line && !line.startsWith('|') && !line.startsWith('#'));

  it('compares nothing with 2024, which has no figures', () => {
    expect(markdown).not.to.match(/2024|tandis que|par rapport à|l'an dernier|apparu|autant|Notons/);
  });

  it('never chains more than two "et" in a sentence, nor repeats a verb with "tandis que"', () => {
    for (const sentence of prose().flatMap((line) => line.split(/(?<=\.) /))) {
      expect(sentence.match(/ et /g)?.length ?? 0, sentence).to.be.at.most(2);
      expect(sentence, sentence).not.to.match(/a baissé.*a baissé|a augmenté.*a augmenté/);
    }
  });

  it('writes the solicitations, members, letter and news sentences from the figures', () => {
    expect(markdown).to.include(
      "Fabrique Territoires Santé a reçu 120 sollicitations en 2025, émanant d'acteurs locaux ou nationaux, adhérents ou non : 10 % proviennent d'adhérent·es.",
    );
    expect(markdown).to.include("Ces sollicitations viennent d'abord de collectivités locales (38 %), puis d'associations locales (21 %).");
    expect(markdown).to.include('En 2025, Fabrique Territoires Santé compte 28 membres adhérent·es — dont 17 personnes morales et 11 personnes physiques. Les collectivités locales en représentent 29 %.');
    expect(markdown).to.include('En 2025, 12 newsletters mensuelles ont été envoyées.');
    expect(markdown).to.include("La newsletter est envoyée à 388 contacts volontairement inscrits : 400 inscriptions et 12 désinscriptions dans l'année (en moyenne 33,3 et 1 par mois).");
    expect(markdown).to.include('En 2025, 517 actualités ont été diffusées par le site et la newsletter.');
    expect(markdown).to.include('| Type de demande | Sollicitations | Part |\n');
    expect(markdown).to.include('| Collaboration / appui | 30 | 25 % |');
  });

  it('names the downloads after the year', async () => {
    const md = await staff.get('/api/reports/activity?year=2025&format=md');
    expect(md.headers.get('content-disposition')).to.match(/filename="?rapport-activite-2025\.md"?/);
    const csv = await staff.get('/api/reports/activity?year=2025&format=csv');
    expect(csv.headers.get('content-disposition')).to.match(/filename="?rapport-activite-2025\.csv"?/);
    const pdf = await fetch(`${server.url}/api/reports/activity?year=2025&format=pdf`, { headers: { cookie: staff.cookie! } });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers.get('content-disposition')).to.match(/filename="?rapport-activite-2025\.pdf"?/);
    const bytes = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(bytes.startsWith('%PDF-')).to.equal(true);
    expect(bytes).to.match(/\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/);
  });

  it('gives the sentences and tables as HTML for the screen, labels escaped', async () => {
    const { body } = await staff.get('/api/reports/activity?year=2025&format=html');
    expect(body.year).to.equal(2025);
    expect(body.html).to.include('<h1>Rapport d’activité 2025 — les chiffres</h1>'.replace('’', "'"));
    expect(body.html).to.include('<td>Collaboration / appui</td>');
    expect(body.html).to.include('<p>En 2025, 517 actualités ont été diffusées par le site et la newsletter.</p>');
    expect(body.html).not.to.include('<script');
  });
});
