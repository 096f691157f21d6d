import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkTemplates, createTemplateEngine, renderEmail, renderEmailWithSlots, TEMPLATES_DIR, TemplateError } from '../../server/templates/render.js';
import { resetDatabase, testConfig } from '../helpers.js';

describe('e-mail templates', () => {
  before(resetDatabase);

  it('has no MJML validation error in any template file', async () => {
    expect((await checkTemplates()).map((e) => e.message)).to.deep.equal([]);
  });

  it('renders a staff notice with subject, French HTML and a plain-text part', async () => {
    const email = await renderEmail(
      'staff-notice',
      { title: 'Lettre prête', paragraphs: ["L'aperçu est prêt."], action: { url: 'http://maillage.test/a?b=1', label: "Voir l'aperçu" } },
      testConfig({ ORG_NAME: 'FTS test', ORG_ADDRESS: '1 rue Test, 75000 Paris' }),
    );
    expect(email.subject).to.equal('[Maillage] Lettre prête');
    expect(email.html).to.match(/<html lang="fr"/);
    expect(email.html).to.include('href="http://maillage.test/a?b&#x3D;1"'); // an escaped attribute, read as ?b=1
    expect(email.text).to.include("L'aperçu est prêt.");
    expect(email.text).to.include("Voir l'aperçu <http://maillage.test/a?b=1>");
    expect(email.text).to.include('1 rue Test, 75000 Paris');
  });

  it('renders a form e-mail from its compiled shape exactly as a full rendering, whatever the slot values', async () => {
    const config = testConfig();
    const link = (token: string) => `http://maillage.test/abonnement/confirmer/${token}.sig=ab&c'd"e<f>`;
    const cases = [
      { firstName: 'Zoé', lists: ['Lettre mensuelle'], confirmUrl: link('x'.repeat(180)) },
      { firstName: "O'Brien & <Fils>", lists: ['Lettre mensuelle', 'Informations du réseau'], confirmUrl: link('y'.repeat(40)) },
      { firstName: '', lists: ['Lettre mensuelle'], confirmUrl: link('z'.repeat(300)) }, // no name: {{#if}} takes the other branch
      { firstName: 'Anne-Marie', lists: ['Lettre mensuelle'], confirmUrl: 'http://maillage.test/c' }, // a short link
    ];
    for (const data of cases) {
      const fast = await renderEmailWithSlots('subscription-confirm', data, ['firstName', 'confirmUrl'], config);
      const full = await renderEmail('subscription-confirm', data, config);
      expect(fast).to.deep.equal(full);
      expect(fast.html).not.to.include('zslot');
    }
  });

  it('shows a title containing <script> or {{ as text', async () => {
    const email = await renderEmail('staff-notice', { title: '<script>alert(1)</script> {{organisation.name}}', paragraphs: [] });
    expect(email.html).not.to.include('<script>alert(1)');
    expect(email.html).to.include('&lt;script&gt;alert(1)&lt;/script&gt; {{organisation.name}}');
    expect(email.text).to.include('<script>alert(1)</script> {{organisation.name}}');
  });

  describe('with a broken template', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-templates-'));
      cpSync(TEMPLATES_DIR, dir, { recursive: true });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('fails naming the file and line of an MJML error', async () => {
      writeFileSync(
        path.join(dir, 'emails', 'broken.mjml'),
        ['---', 'subject: Cassé', '---', '<mj-section>', '  <mj-column>', '    <mj-text colour="red">{{title}}</mj-text>', '  </mj-column>', '</mj-section>'].join('\n'),
      );
      const engine = createTemplateEngine(dir);
      const error = await engine.renderEmail('broken', { title: 'x' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TemplateError);
      expect((error as TemplateError).file).to.equal('emails/broken.mjml');
      expect((error as TemplateError).line).to.equal(6);
      expect((error as Error).message).to.include('ligne 6').and.to.include('colour');
    });

    it('fails naming the line of a Handlebars syntax error', async () => {
      writeFileSync(path.join(dir, 'emails', 'bad-hbs.mjml'), '<mj-section>\n<mj-column>\n<mj-text>{{#if x}}oops</mj-text>\n</mj-column>\n</mj-section>\n');
      const error = await createTemplateEngine(dir).renderEmail('bad-hbs', {}).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TemplateError);
      expect((error as Error).message).to.match(/bad-hbs\.mjml/);
    });
  });
});
