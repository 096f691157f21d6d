import { Router } from 'express';
import type { AppContext } from '../context.js';
import { hit } from '../lib/rate-limit.js';
import { html, renderPage } from '../public/page.js';
import { followLink } from './click.service.js';

/** Clicks counted per address and minute beyond which the reader is still redirected but not counted. */
const COUNTED_PER_MINUTE = 120;

/**
 * `GET /l/:code` → 302 to the link's own URL. Only the URL stored for the code is ever used
 * (no URL in the request: no open redirect); an unknown code is a 404 page.
 */
export function clickRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/l/:code', async (req, res) => {
    const { count } = await hit(`click:${req.ip ?? 'unknown'}`, 60_000);
    const url = await followLink(String(req.params.code), count <= COUNTED_PER_MINUTE);
    res.set('Cache-Control', 'no-store');
    if (!url) {
      res.status(404).type('html').send(renderPage({ title: 'Lien introuvable', body: html`<p>Ce lien n'existe pas ou plus.</p>`, config: ctx.config }));
      return;
    }
    res.redirect(302, url);
  });
  return router;
}
