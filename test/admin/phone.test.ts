import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createContact } from '../../server/contacts/contact.service.js';
import { clientAs, type TestServer } from '../helpers.js';
import { describeViolations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const YEAR = new Date().getFullYear();
const PHONE = { width: 390, height: 844 };

async function seed(server: TestServer) {
  const { client } = await clientAs(server, 'staff');
  const contact = await createContact({ email: 'nadia.coordination@ville-exemple.test', firstName: 'Nadia', lastName: 'Benmansour-Lefèvre' });
  const post = async (path: string, body: unknown) => {
    const reply = await client.post(path, body);
    expect(reply.status, `${path}: ${reply.text}`).to.be.oneOf([200, 201]);
  };
  await post('/api/fee-schedules', { year: YEAR, fees: [{ category: 'personne-physique', amount: 30 }] });
  await post('/api/memberships', { contact: String(contact._id), year: YEAR, category: 'personne-physique' });
  await post('/api/solicitations', {
    channel: 'email',
    requesterEmail: 'demande@fts.test',
    requesterFirstName: 'Paul',
    requesterLastName: 'Demandeur',
    type: 'relais-emploi',
    requesterType: 'association-locale',
    subject: 'Relayer une offre de coordinateur CLS',
    status: 'in-progress',
  });
}

/** Anything wider than the phone: the page itself, or a box of the main area scrolling sideways. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const wide: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth}px > ${root.clientWidth}px`);
    for (const el of document.querySelectorAll<HTMLElement>('#main-content *')) {
      const box = el.getBoundingClientRect();
      if (box.width && box.height && (box.left < -1 || box.right > root.clientWidth + 1)) wide.push(`${el.tagName} "${el.innerText?.slice(0, 40)}" off screen`);
      if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1) wide.push(`${el.className || el.tagName} ${el.scrollWidth}px`);
    }
    return wide;
  });
}

async function expectPhoneList(page: Page, name: string) {
  expect(await page.locator('#main-content table').count(), 'a simple list, not a table').to.equal(0);
  await screenshot(page, `phone-${name}`);
  expect(await overflow(page)).to.deep.equal([]);
  const violations = await seriousAxeViolations(page);
  expect(violations, describeViolations(violations)).to.deep.equal([]);
}

describe('the admin in a browser: phone-sized screens (390 px)', () => {
  const suite = useAdminBrowser({ seed });

  it('lists contacts as a simple list, each opening the contact', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.setViewportSize(PHONE);
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByText('Nadia Benmansour-Lefèvre').waitFor();
    await page.getByText('nadia.coordination@ville-exemple.test').waitFor();
    await expectPhoneList(page, 'contacts');
    await page.getByText('Nadia Benmansour-Lefèvre').click();
    await page.waitForURL(/\/admin\/contacts\/[a-f0-9]{24}\/show$/);
    await page.close();
  });

  it('lists solicitations with their status visible', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.setViewportSize(PHONE);
    await page.goto(`${suite.server.url}/admin/solicitations`);
    const item = page.getByRole('link').filter({ hasText: 'Relayer une offre de coordinateur CLS' });
    await item.waitFor();
    await item.getByText('En cours').waitFor();
    await item.getByText(/Paul Demandeur/).waitFor();
    await expectPhoneList(page, 'solicitations');
    await page.close();
  });

  it('lists memberships with the amount in euros and the payment state', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.setViewportSize(PHONE);
    await page.goto(`${suite.server.url}/admin/memberships`);
    const item = page.getByRole('link').filter({ hasText: 'Nadia Benmansour-Lefèvre' });
    await item.waitFor();
    await item.getByText('Personne physique · 30 €').waitFor();
    await item.getByText('À payer').waitFor();
    await expectPhoneList(page, 'memberships');
    await page.close();
  });
});
