import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createContact } from '../../server/contacts/contact.service.js';
import { clientAs, type TestServer } from '../helpers.js';
import { describeViolations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

/** Holds the app's bundle (index-*.js) until `release`: what is on screen meanwhile is the first paint's. */
async function holdAppBundle(page: Page): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/admin\/assets\/index-[^/]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

describe('the admin in a browser: the dashboard drawn before the app has loaded', () => {
  const suite = useAdminBrowser({ seed });
  async function seed(server: TestServer) {
    for (const [firstName, email] of [['Aïcha', 'aicha@fts.test'], ['Bruno', 'bruno@fts.test']]) await createContact({ email, firstName, lastName: 'Premier' });
    const { client } = await clientAs(server, 'staff');
    // its requester is the third contact
    const reply = await client.post('/api/solicitations', { channel: 'email', requesterEmail: 'demande@fts.test', type: 'information', requesterType: 'collectivite', subject: 'Une demande' });
    expect(reply.status, reply.text).to.equal(201);
  }

  it('shows the key figures and their links while the app loads, then hands over without asking again', async function () {
    this.timeout(30_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const release = await holdAppBundle(page);
    const reads: string[] = [];
    page.on('request', (request) => request.url().includes('/api/') && reads.push(new URL(request.url()).pathname));
    // What the app's first render shows as the first paint makes way (a MutationObserver runs before the next frame).
    await page.addInitScript(() => {
      new MutationObserver((changes, observer) => {
        if (!changes.some((change) => [...change.removedNodes].some((node) => (node as Element).id === 'first-paint'))) return;
        (window as unknown as { handedOver: string }).handedOver = document.getElementById('root')?.innerText ?? '';
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${suite.server.url}/admin/`, { waitUntil: 'commit' });

    const shell = page.locator('#first-paint');
    await shell.getByRole('heading', { name: /^Bonjour Test staff/ }).waitFor();
    const contacts = shell.getByRole('link', { name: /^Contacts 3\b/ });
    await contacts.waitFor();
    expect(await contacts.getAttribute('href')).to.equal('/admin/contacts');
    await shell.getByRole('link', { name: /^Sollicitations ouvertes 1 1 reçues cette année$/ }).waitFor();
    await shell.getByText('Aucune', { exact: true }).waitFor();
    expect(await page.getByRole('menuitem').count(), 'the app is still held').to.equal(0);
    await screenshot(page, 'dashboard-first-paint');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);

    const greeting = page.getByRole('heading', { name: /^Bonjour Test staff/ });
    const figure = page.getByRole('link', { name: /^Contacts 3\b/ });
    const [greetingBefore, figureBefore] = [await greeting.boundingBox(), await figure.boundingBox()];

    release();
    await page.getByRole('menuitem', { name: 'Contacts' }).waitFor();
    expect(await shell.count()).to.equal(0);
    // the app draws its greeting and figures where the first paint had them
    expect((await greeting.boundingBox())?.y).to.be.closeTo(greetingBefore!.y, 4);
    expect((await figure.boundingBox())?.x).to.be.closeTo(figureBefore!.x, 4);
    expect((await figure.boundingBox())?.y).to.be.closeTo(figureBefore!.y, 4);
    const handedOver = await page.evaluate(() => (window as unknown as { handedOver?: string }).handedOver);
    expect(handedOver, 'the app drew its figures at once').to.match(/Bonjour Test staff\s+Chiffres de l'année \d{4}\s+Contacts\s+3\s/);
    expect(handedOver).to.match(/Sollicitations ouvertes\s+1\s+1 reçues cette année/).and.not.include('…');
    for (const path of ['/api/auth/me', '/api/dashboard/counts', '/api/reports/activity', '/api/dashboard/campaigns']) {
      expect(reads.filter((read) => read === path), path).to.have.length(1);
    }
    await page.close();
  });

  it('tells a board member the access is read-only, as the app does, where the app does', async function () {
    this.timeout(30_000);
    const page = await pageAs(suite.browser, suite.server, 'board');
    const release = await holdAppBundle(page);
    await page.goto(`${suite.server.url}/admin/`, { waitUntil: 'commit' });
    const greeting = page.getByRole('heading', { name: /^Bonjour Test board/ });
    await page.locator('#first-paint').getByText(/^Accès en lecture seule/).waitFor();
    const before = await greeting.boundingBox();
    release();
    await page.getByRole('menuitem', { name: 'Contacts' }).waitFor();
    expect(await page.locator('#first-paint').count()).to.equal(0);
    expect(await page.getByText(/^Accès en lecture seule/).count()).to.equal(1);
    expect((await greeting.boundingBox())?.y, 'the greeting stays where it was').to.be.closeTo(before!.y, 4);
    await page.close();
  });

  it('draws nothing for a visitor without a session, who gets the login page', async function () {
    this.timeout(30_000);
    await suite.browser.context.clearCookies();
    const page = await suite.browser.context.newPage();
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByLabel('Identifiant').waitFor();
    expect(await page.locator('#first-paint').count()).to.equal(0);
    await page.close();
  });

  it('is drawn only on the dashboard', async function () {
    this.timeout(30_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const reads: string[] = [];
    page.on('request', (request) => request.url().includes('/api/') && reads.push(new URL(request.url()).pathname));
    await page.addInitScript(() => {
      new MutationObserver(() => {
        if (document.getElementById('first-paint')) (window as unknown as { firstPaintSeen: boolean }).firstPaintSeen = true;
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('cell', { name: 'aicha@fts.test' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { firstPaintSeen?: boolean }).firstPaintSeen)).to.equal(undefined);
    expect(reads).to.not.include('/api/dashboard/counts');
    await page.close();
  });
});
