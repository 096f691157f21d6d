import { Router, type ErrorRequestHandler, type Request } from 'express';
import type { AppContext } from '../context.js';
import { toAppError } from '../lib/errors.js';
import { rateLimit } from '../lib/rate-limit.js';
import { vocabularyOf } from '../vocabularies/vocabulary.service.js';
import { readCancelToken } from './event.links.js';
import { Event, EventSeat, Registration, type EventRecord } from './event.model.js';
import { evaluationForm, registrationForm } from './event.schemas.js';
import { registrationState } from './event.service.js';
import {
  cancelConfirmPage,
  cancelledPage,
  evaluationPage,
  messagePage,
  registrationPage,
  registrationReceivedPage,
  type RegistrationFormView,
} from './event.views.js';
import { evaluationOf, readEvaluation, submitEvaluation } from './evaluation.service.js';
import { cancelRegistration, registerForEvent } from './registration.service.js';

const MINUTE = 60_000;

/**
 * `/rencontres/...`: the public registration page of each event, the cancel link and the
 * evaluation questionnaire. Server-rendered, French, no JavaScript, rate-limited per IP like
 * the other public forms; no page says whether an address is registered.
 */
export function eventPages(ctx: AppContext): Router {
  const { config } = ctx;
  const pages = Router();
  const limitForm = rateLimit({ name: 'public-event-register', max: 10, windowMs: 10 * MINUTE });
  const limitLinks = rateLimit({ name: 'public-links', max: 60, windowMs: MINUTE });
  const notFoundPage = (res: import('express').Response) =>
    res.status(404).type('html').send(messagePage(config, 'Rencontre introuvable', "Cette rencontre n'existe pas ou n'est pas ouverte aux inscriptions en ligne."));
  const invalidLink = (res: import('express').Response) =>
    res.status(400).type('html').send(messagePage(config, 'Lien invalide', "Ce lien n'est pas valide ou a expiré. Écrivez-nous si vous avez besoin d'aide."));

  pages.get('/rencontres/annulation/:token', limitLinks, async (req, res) => {
    const found = await registrationOfToken(req);
    if (!found) return invalidLink(res);
    res.type('html').send(cancelConfirmPage(config, found.event, found.status === 'cancelled'));
  });

  pages.post('/rencontres/annulation/:token', limitLinks, async (req, res) => {
    const id = readCancelToken(config, String(req.params.token));
    const done = id ? await cancelRegistration(ctx, id) : undefined;
    if (!done) return invalidLink(res);
    res.type('html').send(cancelledPage(config, done.event));
  });

  pages.get('/rencontres/evaluation/:token', limitLinks, async (req, res) => {
    const found = await evaluationOf(config, String(req.params.token));
    if ('problem' in found) return usedOrInvalid(res, found.problem);
    res.type('html').send(evaluationPage(config, { event: found.event }));
  });

  pages.post('/rencontres/evaluation/:token', limitLinks, async (req, res) => {
    const found = await evaluationOf(config, String(req.params.token));
    if ('problem' in found) return usedOrInvalid(res, found.problem);
    const body = (req.body ?? {}) as Record<string, unknown>;
    let answers;
    try {
      answers = readEvaluation(found.event, body);
    } catch (error) {
      const appError = toAppError(error);
      if (appError?.status !== 400) throw error;
      return res.status(400).type('html').send(evaluationPage(config, { event: found.event, values: body, error: { field: appError.field, message: appError.message } }));
    }
    const comment = evaluationForm.safeParse(body).data?.comment ?? '';
    if (!(await submitEvaluation(found.event, found.registration, answers, comment))) return usedOrInvalid(res, 'used');
    res.type('html').send(messagePage(config, 'Merci pour votre avis', 'Vos réponses sont enregistrées, de façon anonyme. Merci !'));
  });

  pages.get('/rencontres/:slug', limitLinks, async (req, res) => {
    const event = await publicEvent(req);
    if (!event) return notFoundPage(res);
    res.type('html').send(registrationPage(config, await formView(event, { code: req.query.code })));
  });

  pages.post('/rencontres/:slug', limitForm, async (req, res) => {
    const event = await publicEvent(req);
    if (!event) return notFoundPage(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = registrationForm.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue.path[0] ?? '');
      const message = LABELS[field] ? `${LABELS[field]} : ${issue.message}.` : issue.message;
      return res.status(400).type('html').send(registrationPage(config, await formView(event, body, { field, message })));
    }
    try {
      await registerForEvent(ctx, event, parsed.data, body, req.ip);
    } catch (error) {
      const appError = toAppError(error);
      if (appError?.status !== 400) throw error;
      return res.status(400).type('html').send(registrationPage(config, await formView(event, body, { field: appError.field, message: appError.message })));
    }
    res.type('html').send(registrationReceivedPage(config, event));
  });

  const pageErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const appError = toAppError(error);
    if (!appError || res.headersSent) return next(error);
    const title = appError.status === 429 ? 'Trop de tentatives' : 'Erreur';
    res.status(appError.status).type('html').send(messagePage(config, title, appError.message));
  };
  pages.use('/rencontres', pageErrors);
  return pages;

  function usedOrInvalid(res: import('express').Response, problem: 'invalid' | 'used') {
    if (problem === 'used') return res.status(410).type('html').send(messagePage(config, 'Questionnaire déjà rempli', 'Ce questionnaire a déjà été rempli avec ce lien. Merci pour votre participation !'));
    return invalidLink(res);
  }

  async function registrationOfToken(req: Request) {
    const id = readCancelToken(config, String(req.params.token));
    const registration = id ? await Registration.findById(id, { event: 1, status: 1 }).lean() : null;
    const event = registration ? await Event.findById(registration.event).lean() : null;
    return registration && event ? { event: event as EventRecord, status: registration.status } : undefined;
  }

  /** The event of the slug; one by invitation needs its code (query on GET, hidden field on POST). */
  async function publicEvent(req: Request): Promise<EventRecord | undefined> {
    const slug = String(req.params.slug);
    if (!/^[a-z0-9-]{1,80}$/.test(slug)) return undefined;
    const event = (await Event.findOne({ slug }).lean()) as EventRecord | null;
    if (!event) return undefined;
    if (event.access === 'invitation') {
      const code = String((req.method === 'GET' ? req.query.code : (req.body as Record<string, unknown> | undefined)?.code) ?? '');
      if (!event.invitationCode || code !== event.invitationCode) return undefined;
    }
    return event;
  }

  async function formView(event: EventRecord, values?: Record<string, unknown>, error?: RegistrationFormView['error']): Promise<RegistrationFormView> {
    const [organisationTypes, functions, dispositifs] = await Promise.all(['organisationTypes', 'functions', 'dispositifs'].map((kind) => vocabularyOf(kind as never)));
    const options = (entries: ReadonlyArray<{ code: string; label: string; active: boolean }>) => entries.filter((e) => e.active).map((e) => ({ value: e.code, label: e.label }));
    const state = registrationState(event);
    const full = Boolean(event.capacity) && (await EventSeat.countDocuments({ event: event._id })) >= event.capacity!;
    return { event, organisationTypes: options(organisationTypes), functions: options(functions), dispositifs: options(dispositifs), full, closedReason: state.reason, values, error };
  }
}

const LABELS: Record<string, string> = {
  email: 'Adresse e-mail',
  firstName: 'Prénom',
  lastName: 'Nom',
  organisationName: 'Structure',
  organisationType: 'Type de structure',
  function: 'Fonction',
  territory: 'Territoire',
  dispositifs: 'Dispositifs',
  accessibilityNeeds: "Besoins d'accessibilité",
};
