import { Router, type Response } from 'express';
import type { AppContext } from '../context.js';
import { rateLimit } from '../lib/rate-limit.js';
import { ARCHIVE_STAMP, StampedCache } from '../lib/stamped-cache.js';
import { html, raw, renderPage } from '../public/page.js';
import { Campaign, type CampaignStatus } from '../campaigns/campaign.model.js';
import { Newsletter } from './newsletter.model.js';

const PUBLISHED: Array<'sending' | 'sent'> = ['sending', 'sent'];

/** A page kept as the bytes sent (not converted again at every hit). */
type CachedPage = Buffer;
const cachedPage = (page: string | null | undefined): CachedPage | undefined => (page == null ? undefined : Buffer.from(page));

const sendPage = (res: Response, page: CachedPage) => res.type('html').send(page);

/**
 * The public web archive: sent issues only, in their version without any personal link. Pages
 * are kept in memory and rebuilt only after an issue is sent, so a crowd costs no database work.
 */
export function archivePages(ctx: AppContext): Router {
  const { config } = ctx;
  const pages = Router();
  const limit = rateLimit({ name: 'public-archive', max: 120, windowMs: 60_000 });
  const cache = new StampedCache<CachedPage>(ARCHIVE_STAMP);

  pages.get('/lettres', limit, async (_req, res) => {
    sendPage(res, (await cache.get('/lettres', async () => cachedPage(await indexPage())))!);
  });

  pages.get('/lettres/:slug', limit, async (req, res) => {
    const slug = String(req.params.slug);
    const page = await cache.get(`/lettres/${slug}`, async () => {
      const issue = await Newsletter.findOne({ slug, status: { $in: PUBLISHED } }, { webHtml: 1 }).lean();
      return cachedPage(issue?.webHtml);
    });
    if (!page) {
      const body = html`<p>Cette lettre n'existe pas ou n'est pas encore publiée.</p><p><a href="/lettres">Toutes les lettres</a></p>`;
      return res.status(404).type('html').send(renderPage({ title: 'Lettre introuvable', body, config }));
    }
    sendPage(res, page);
  });

  pages.get('/lettres/envois/:slug', limit, async (req, res) => {
    const slug = String(req.params.slug);
    const page = await cache.get(`/lettres/envois/${slug}`, async () => {
      const campaign = await Campaign.findOne({ slug, publish: true, status: { $in: CAMPAIGN_PUBLISHED } }, { webHtml: 1 }).lean();
      return cachedPage(campaign?.webHtml);
    });
    if (!page) {
      const body = html`<p>Ce message n'existe pas ou n'est pas publié.</p><p><a href="/lettres">Toutes les lettres</a></p>`;
      return res.status(404).type('html').send(renderPage({ title: 'Message introuvable', body, config }));
    }
    sendPage(res, page);
  });
  return pages;

  async function indexPage(): Promise<string> {
    const [issues, campaigns] = await Promise.all([
      Newsletter.find({ status: { $in: PUBLISHED } }, { month: 1, slug: 1, title: 1, sections: 1 }).sort({ month: -1 }).lean(),
      Campaign.find({ publish: true, status: { $in: CAMPAIGN_PUBLISHED } }, { slug: 1, subject: 1, sendingAt: 1 }).sort({ sendingAt: -1 }).lean(),
    ]);
    let body = issues.length
      ? html`<ul>${issues.map((issue) =>
          raw(html`<li><a href="/lettres/${issue.slug}">${issue.title}</a> — ${countLabel(issue.sections.reduce((sum, s) => sum + (s.count ?? 0), 0))}</li>`),
        )}</ul>`
      : html`<p>Aucune lettre n'a encore été publiée.</p>`;
    if (campaigns.length) {
      body += html`<h2>Autres messages du réseau</h2><ul>${campaigns.map((c) => raw(html`<li><a href="/lettres/envois/${c.slug}">${archiveSubject(c.subject)}</a></li>`))}</ul>`;
    }
    return renderPage({ title: "Les lettres d'information", body: body + html`<p><a href="/abonnement">S'abonner à la lettre</a></p>`, config });
  }
}

const CAMPAIGN_PUBLISHED: CampaignStatus[] = ['sending', 'paused', 'sent'];
/** A subject's personal fields read as their fallback (or nothing) in the archive's list. */
const archiveSubject = (subject: string) => subject.replace(/\{\{\s*[^}|]*?\s*(?:\|([^}]*))?\}\}/g, (_all, fallback?: string) => fallback?.trim() ?? '').replace(/\s+/g, ' ').trim();

const countLabel = (count: number) => `${count} actualité${count > 1 ? 's' : ''}`;
