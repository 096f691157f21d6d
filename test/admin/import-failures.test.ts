import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contact } from '../../server/contacts/contact.model.js';
import { Import } from '../../server/imports/import.model.js';
import { MAX_COMMIT_ATTEMPTS } from '../../server/imports/import.service.js';
import { missingTranslations, pageAs, screenshot, useAdminBrowser } from './browser.js';

const HEADER = 'Prénom;Nom;Courriel';

describe('the admin in a browser: imports that fail', () => {
  const suite = useAdminBrowser({ jobs: true });
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-import-fail-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a refused file’s reason with its line, then relaunches a commit stopped after repeated interruptions', async function () {
    this.timeout(90_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const bad = path.join(dir, 'cellule-geante.csv');
    writeFileSync(bad, [HEADER, 'Anaïs;Béranger;anais.beranger@cls-lille.fr', `Marc;${'x'.repeat(120_000)};marc.petit@ville.fr`, ''].join('\r\n'));
    await page.goto(`${suite.server.url}/admin/imports/create`);
    await page.locator('input[type="file"]').setInputFiles(bad);
    await page.getByRole('button', { name: 'Analyser le fichier' }).click();
    await page.getByText(/^Ligne 3 : une cellule dépasse 100\s000 caractères/).waitFor();
    await screenshot(page, 'import-refused-cell');

    const good = path.join(dir, 'contacts.csv');
    writeFileSync(good, [HEADER, 'Anaïs;Béranger;anais.beranger@cls-lille.fr', ''].join('\r\n'));
    await page.locator('input[type="file"]').setInputFiles(good);
    await page.getByRole('button', { name: 'Analyser le fichier' }).click();
    await page.waitForURL(/\/admin\/imports\/[a-f0-9]{24}\/show$/);
    const id = page.url().match(/imports\/([a-f0-9]{24})\/show$/)![1];
    // what a commit cut short by a dying process, three times, leaves behind: the next run stops it
    await Import.updateOne({ _id: id }, { $set: { status: 'running', attempts: MAX_COMMIT_ATTEMPTS, committedAt: new Date() } });
    await suite.server.ctx.scheduler.agenda.now('import:commit', { importId: id });
    for (let i = 0; i < 100 && (await Import.findById(id).lean())!.status !== 'failed'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await Import.findById(id).lean())!.failure).to.match(/interrompue/);
    await page.reload();
    await page.getByText(`La validation a été interrompue ${MAX_COMMIT_ATTEMPTS} fois sans aboutir`).waitFor({ timeout: 20_000 });
    await screenshot(page, 'import-interrupted');

    await page.getByRole('button', { name: "Relancer l'import" }).click();
    await page.getByRole('heading', { name: /— Terminé$/ }).waitFor({ timeout: 30_000 });
    expect(await Contact.countDocuments({ email: 'anais.beranger@cls-lille.fr' })).to.equal(1);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
