import { Router } from 'express';
import type { AppContext } from '../context.js';
import { html, renderPage } from './page.js';

/** `GET /`: what Maillage is, and the way to the staff interface and to the public pages. */
export function homePage(ctx: AppContext): Router {
  const page = renderPage({
    title: 'Maillage',
    config: ctx.config,
    body: html`
<p>Maillage est la base de contacts, le registre des adhésions, le suivi des sollicitations et l'outil de la lettre
mensuelle de ${ctx.config.organisation.name}.</p>
<ul>
<li><a href="/admin/">Espace de l'équipe</a> (connexion requise)</li>
<li><a href="/abonnement">S'abonner à la lettre d'information</a></li>
<li><a href="/lettres">Lire les lettres déjà parues</a></li>
<li><a href="/sollicitation">Adresser une demande à l'équipe</a></li>
</ul>`,
  });
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}
