import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkTemplates, createTemplateEngine, renderEmail, TEMPLATES_DIR, TemplateError } from '../../server/templates/render.js';
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
