import express, { Router, type Request } from 'express';
import type { AppContext } from '../context.js';
import { toAppError } from '../lib/errors.js';
import { publicPageErrors } from './page-errors.js';
import { rateLimit } from '../lib/rate-limit.js';
import { publicLists } from '../lists/list.service.js';
import { preferencesUrl, readPreferencesToken, readUnsubscribeToken } from '../subscriptions/subscription.links.js';
import { preferencesForm, subscribeForm } from '../subscriptions/subscription.schemas.js';
import { confirmSubscription, preferencesOf, requestSubscription, savePreferences, unsubscribe } from '../subscriptions/subscription.service.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { List } from '../lists/list.model.js';
import { assertThemes, rootThemes } from '../themes/theme.service.js';
import { assertCodes, vocabularyOf } from '../vocabularies/vocabulary.service.js';
import {
  checkInboxPage,
  confirmedPage,
  invalidLinkPage,
  leftPage,
  preferencesPage,
  subscribePage,
  unsubscribeConfirmPage,
  unsubscribedPage,
  type SubscribeFormView,
} from './subscription.views.js';

const MINUTE = 60_000;

/**
 * The public subscription pages of API.md: server-rendered, French, no JavaScript. Every
 * route is rate-limited per IP; no page or status says whether an address is known.
 */
export function subscriptionPages(ctx: AppContext): Router {
  const { config } = ctx;
  const pages = Router();
  const limitForm = rateLimit({ name: 'public-subscribe', max: 10, windowMs: 10 * MINUTE });
  const limitLinks = rateLimit({ name: 'public-links', max: 60, windowMs: MINUTE });
  // RFC 8058 one-click posts come from mail providers, often without a content type.
  const oneClickBody = express.text({ type: () => true, limit: '2kb' });
  let blank: { sources: FormSources; html: string } | undefined;

  pages.get('/abonnement', limitLinks, async (_req, res) => {
    res.type('html').send(await blankForm());
  });

  pages.post('/abonnement', limitForm, async (req, res) => {
    const parsed = subscribeForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue.path[0] ?? '');
      const message = fieldLabel(field) ? `${fieldLabel(field)} : ${issue.message}.` : issue.message;
      return res.status(400).type('html').send(subscribePage(config, await formView(req.body, { field, message })));
    }
    try {
      if (parsed.data.function) await assertCodes('functions', [parsed.data.function], 'function');
      await assertThemes(parsed.data.themes, 'themes');
      await requestSubscription(ctx, parsed.data, req.ip);
    } catch (error) {
      const appError = toAppError(error);
      if (appError?.status !== 400) throw error;
      return res.status(400).type('html').send(subscribePage(config, await formView(req.body, { field: appError.field, message: appError.message })));
    }
    res.type('html').send(checkInboxPage(config));
  });

  pages.get('/abonnement/confirmer/:token', limitLinks, async (req, res) => {
    const result = await confirmSubscription(ctx, String(req.params.token), req.ip);
    if (!result) return res.status(400).type('html').send(invalidLinkPage(config));
    res.type('html').send(confirmedPage(config, result.lists));
  });

  pages.get('/preferences/:token', limitLinks, async (req, res) => {
    const view = await preferences(req);
    if (!view) return res.status(400).type('html').send(invalidLinkPage(config));
    res.type('html').send(preferencesPage(config, view));
  });

  pages.post('/preferences/:token', limitLinks, async (req, res) => {
    const contactId = readPreferencesToken(config, String(req.params.token));
    const parsed = preferencesForm.safeParse(req.body ?? {});
    if (!contactId) return res.status(400).type('html').send(invalidLinkPage(config));
    if (!parsed.success) {
      const view = await preferences(req);
      if (!view) return res.status(400).type('html').send(invalidLinkPage(config));
      return res.status(400).type('html').send(preferencesPage(config, { ...view, error: 'Le formulaire envoyé est invalide.' }));
    }
    const result = await savePreferences(contactId, { lists: parsed.data.lists, themes: parsed.data.themes, leave: parsed.data.action === 'leave' }, req.ip);
    if (!result) return res.status(400).type('html').send(invalidLinkPage(config));
    if (result.left) return res.type('html').send(leftPage(config));
    res.type('html').send(preferencesPage(config, { ...(await preferences(req))!, saved: true }));
  });

  // GET never unsubscribes (link scanners follow links): it shows a confirm button.
  pages.get('/desabonnement/:token', limitLinks, async (req, res) => {
    const subscriptionId = readUnsubscribeToken(config, String(req.params.token));
    const subscription = subscriptionId ? await Subscription.findById(subscriptionId, { list: 1, status: 1 }).lean() : null;
    const list = subscription ? await List.findById(subscription.list, { name: 1 }).lean() : null;
    if (!subscription || !list) return res.status(400).type('html').send(invalidLinkPage(config));
    res.type('html').send(unsubscribeConfirmPage(config, list.name, subscription.status === 'unsubscribed'));
  });

  pages.post('/desabonnement/:token', limitLinks, oneClickBody, async (req, res) => {
    const oneClick = isOneClick(req.body);
    const subscriptionId = readUnsubscribeToken(config, String(req.params.token));
    const done = subscriptionId ? await unsubscribe(subscriptionId, oneClick ? 'one-click' : 'link') : undefined;
    if (oneClick) return res.status(done ? 200 : 400).end();
    if (!done) return res.status(400).type('html').send(invalidLinkPage(config));
    res.type('html').send(unsubscribedPage(config, done.listName, preferencesUrl(config, String(done.subscription.contact))));
  });

  pages.use(['/abonnement', '/preferences', '/desabonnement'], publicPageErrors(config, ctx.logger));
  return pages;

  /** The empty form, rendered once per change of what it offers (the sources are the same arrays until then). */
  async function blankForm(): Promise<string> {
    const sources = await formSources();
    if (!blank || sources.some((source, i) => source !== blank!.sources[i])) blank = { sources, html: subscribePage(config, toFormView(sources)) };
    return blank.html;
  }

  async function formView(values?: Record<string, unknown>, error?: SubscribeFormView['error']): Promise<SubscribeFormView> {
    return toFormView(await formSources(), values, error);
  }

  async function preferences(req: Request) {
    const contactId = readPreferencesToken(config, String(req.params.token));
    const view = contactId ? await preferencesOf(contactId) : undefined;
    return view && { firstName: view.contact.firstName ?? '', lists: view.lists, themes: view.themes };
  }
}

type FormSources = [Awaited<ReturnType<typeof publicLists>>, Awaited<ReturnType<typeof vocabularyOf>>, Awaited<ReturnType<typeof rootThemes>>];
/** What the form offers: lists, functions and themes, each kept in memory by its feature until staff change it. */
const formSources = (): Promise<FormSources> => Promise.all([publicLists(), vocabularyOf('functions'), rootThemes()]);

function toFormView([lists, functions, themes]: FormSources, values?: Record<string, unknown>, error?: SubscribeFormView['error']): SubscribeFormView {
  return {
    lists: lists.map((l) => ({ code: l.code, name: l.name, description: l.description, consentWording: l.consentWording })),
    functions: functions.filter((f) => f.active).map((f) => ({ value: f.code, label: f.label })),
    themes: themes.map((t) => ({ value: String(t._id), label: t.name })),
    values,
    error,
  };
}

const LABELS: Record<string, string> = {
  email: 'Adresse e-mail',
  firstName: 'Prénom',
  lastName: 'Nom',
  organisation: 'Structure',
  function: 'Fonction',
  territory: 'Territoire',
  themes: 'Thèmes',
  lists: 'Listes',
};
const fieldLabel = (field: string) => LABELS[field];

/** RFC 8058: `List-Unsubscribe=One-Click`, sent urlencoded (already parsed) or as multipart/form-data. */
function isOneClick(body: unknown): boolean {
  if (body && typeof body === 'object') return (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click';
  if (typeof body !== 'string') return false;
  return /(^|&)List-Unsubscribe=One-Click(&|$)/.test(body.trim()) || /name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n/.test(body);
}
