import { expect } from 'chai';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';

/** Every staff resource: each is sent malformed list parameters, ids and bodies, and must answer a 4xx. */
const RESOURCES = ['contacts', 'organisations', 'themes', 'territories', 'segments', 'lists', 'subscriptions', 'imports', 'news', 'newsletters', 'memberships', 'solicitations', 'users', 'mailings', 'deliveries', 'history', 'fee-schedules', 'membership-reminders', 'vocabularies', 'outbox', 'events'];
const QUERIES = ['filter=%7B', 'filter=%5B1%5D', 'filter=%7B%22__proto__%22%3A1%7D', 'filter=%7B%22q%22%3A%7B%22%24gt%22%3A%22%22%7D%7D', 'sort=x', 'sort=%5B%22x%22%5D', 'range=%5B%22a%22%5D', 'range=%5B-5%2C1e9%5D', 'filter[a]=1', 'page=-1&perPage=abc'];

describe('malformed queries, ids and bodies on every resource', () => {
  let server: TestServer;
  let admin: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    admin = (await clientAs(server, 'admin')).client;
  });
  after(() => server.close());
  it('are answered 4xx (never 500)', async function () {
    this.timeout(120_000);
    const bad: string[] = [];
    for (const r of RESOURCES) {
      for (const q of QUERIES) {
        const reply = await admin.get(`/api/${r}?${q}`);
        if (reply.status >= 500) bad.push(`GET /api/${r}?${q} ${reply.status} ${reply.text.slice(0, 100)}`);
      }
      for (const id of ['zzz', '000000000000000000000000', '%ff', '..%2F', 'constructor']) {
        for (const [m, body] of [['GET', undefined], ['PUT', { x: 1 }], ['DELETE', undefined], ['PUT', '[]'], ['PUT', 'null']] as const) {
          const reply = await admin.request(m, `/api/${r}/${id}`, body, typeof body === 'string' ? { 'content-type': 'application/json' } : {});
          if (reply.status >= 500) bad.push(`${m} /api/${r}/${id} ${JSON.stringify(body)} ${reply.status} ${reply.text.slice(0, 100)}`);
        }
      }
      for (const body of ['[]', 'null', '"x"', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}']) {
        const reply = await admin.request('POST', `/api/${r}`, body, { 'content-type': 'application/json' });
        if (reply.status >= 500) bad.push(`POST /api/${r} ${body} ${reply.status} ${reply.text.slice(0, 100)}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });

  it('are answered 4xx on the public pages too', async () => {
    const bad: string[] = [];
    const paths = ['/abonnement/confirmer/%ff', '/desabonnement/%ff', '/preferences/%ff', '/lettres/%ff', '/lettres/envois/%ff', '/lettres/..%2F..%2Fetc', '/sollicitation/%ff'];
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const reply = await admin.request(method, path, method === 'POST' ? new URLSearchParams({ email: '\u0000', 'a[b]': 'c' }) : undefined);
        if (reply.status >= 500) bad.push(`${method} ${path} ${reply.status}`);
      }
    }
    for (const body of ['email=%ff', 'email[]=a&email[]=b', '__proto__[x]=1', 'constructor=1']) {
      for (const path of ['/abonnement', '/sollicitation']) {
        const reply = await admin.request('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded' });
        if (reply.status >= 500) bad.push(`POST ${path} ${body} ${reply.status}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });
});
