import { Router } from 'express';
import type { AppContext } from '../context.js';
import { rateLimit } from '../lib/rate-limit.js';
import { StampedCache } from '../lib/stamped-cache.js';
import { html, raw, renderPage } from '../public/page.js';
import { Newsletter } from './newsletter.model.js';
import { ARCHIVE_STAMP } from './newsletter.service.js';

const PUBLISHED: Array<'sending' | 'sent'> = ['sending', 'sent'];

/**
 * The public web archive: sent issues only, in their version without any personal link. Pages
 * are kept in memory and rebuilt only after an issue is sent, so a crowd costs no database work.
 */
export function archivePages(ctx: AppContext): Router {
  const { config } = ctx;
  const pages = Router();
  const limit = rateLimit({ name: 'public-archive', max: 120, windowMs: 60_000 });
  const cache = new StampedCache<string>(ARCHIVE_STAMP);

  pages.get('/lettres', limit, async (_req, res) => {
    res.type('html').send(await cache.get('/lettres', indexPage));
  });

  pages.get('/lettres/:slug', limit, async (req, res) => {
    const slug = String(req.params.slug);
    const page = await cache.get(`/lettres/${slug}`, async () => {
      const issue = await Newsletter.findOne({ slug, status: { $in: PUBLISHED } }, { webHtml: 1 }).lean();
      return issue?.webHtml ?? undefined;
    });
    if (!page) {
      const body = html`<p>Cette lettre n'existe pas ou n'est pas encore publiée.</p><p><a href="/lettres">Toutes les lettres</a></p>`;
      return res.status(404).type('html').send(renderPage({ title: 'Lettre introuvable', body, config }));
    }
    res.type('html').send(page);
  });
  return pages;

  async function indexPage(): Promise<string> {
    const issues = await Newsletter.find({ status: { $in: PUBLISHED } }, { month: 1, slug: 1, title: 1, sections: 1 }).sort({ month: -1 }).lean();
    const body = issues.length
      ? html`<ul>${issues.map((issue) =>
          raw(html`<li><a href="/lettres/${issue.slug}">${issue.title}</a> — ${countLabel(issue.sections.reduce((sum, s) => sum + (s.count ?? 0), 0))}</li>`),
        )}</ul>`
      : html`<p>Aucune lettre n'a encore été publiée.</p>`;
    return renderPage({ title: "Les lettres d'information", body: body + html`<p><a href="/abonnement">S'abonner à la lettre</a></p>`, config });
  }
}

const countLabel = (count: number) => `${count} actualité${count > 1 ? 's' : ''}`;
