import { Router } from 'express';
import type { AppContext } from './context.js';
import { outboxRoutes } from './delivery/outbox.routes.js';
import { bounceWebhookRoutes } from './delivery/bounce.routes.js';
import { deliveryRoutes, mailingRoutes } from './delivery/mailing.routes.js';
import { listRoutes } from './lists/list.routes.js';
import { homePage } from './public/home.page.js';
import { eventPages } from './events/event.pages.js';
import { eventRoutes, registrationRoutes } from './events/event.routes.js';
import { subscriptionPages } from './public/subscription.pages.js';
import { subscriptionRoutes } from './subscriptions/subscription.routes.js';
import { healthRoutes } from './health/health.routes.js';
import { importRoutes } from './imports/import.routes.js';
import { newsMappingRoutes, newsRoutes } from './news/news.routes.js';
import { archivePages } from './newsletters/archive.routes.js';
import { campaignRoutes } from './campaigns/campaign.routes.js';
import { clickRoutes } from './clicks/click.routes.js';
import { newsletterRoutes } from './newsletters/newsletter.routes.js';
import { feeScheduleRoutes, membershipRoutes, reminderRoutes } from './memberships/membership.routes.js';
import { answerTemplateRoutes, publicSolicitationRoutes, solicitationRoutes } from './solicitations/solicitation.routes.js';
import { reportRoutes } from './reports/report.routes.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { territoryRoutes } from './territories/territory.routes.js';
import { contactRoutes } from './contacts/contact.routes.js';
import { historyRoutes } from './history/history.routes.js';
import { organisationRoutes } from './organisations/organisation.routes.js';
import { segmentRoutes } from './segments/segment.routes.js';
import { themeRoutes } from './themes/theme.routes.js';
import { authRoutes } from './users/auth.routes.js';
import { userRoutes } from './users/user.routes.js';
import { VOCABULARY_ALIASES, vocabularyAliasRoutes, vocabularyRoutes } from './vocabularies/vocabulary.routes.js';

/** Every staff API resource, mounted under /api. Each feature's routes name their roles per line. */
export function apiRoutes(ctx: AppContext): Router {
  const api = Router();
  api.use('/health', healthRoutes());
  api.use('/auth', authRoutes(ctx.config));
  api.use('/users', userRoutes());
  api.use('/outbox', outboxRoutes());
  api.use('/lists', listRoutes());
  api.use('/subscriptions', subscriptionRoutes(ctx));
  api.use('/mailings', mailingRoutes(ctx));
  api.use('/deliveries', deliveryRoutes());
  api.use('/webhooks', bounceWebhookRoutes(ctx));
  api.use('/vocabularies', vocabularyRoutes());
  api.use('/territories', territoryRoutes());
  api.use('/themes', themeRoutes());
  api.use('/contacts', contactRoutes());
  api.use('/organisations', organisationRoutes());
  api.use('/segments', segmentRoutes());
  api.use('/history', historyRoutes());
  api.use('/imports', importRoutes(ctx));
  api.use('/news', newsRoutes(ctx.config));
  api.use('/news-mappings', newsMappingRoutes());
  api.use('/newsletters', newsletterRoutes(ctx));
  api.use('/campaigns', campaignRoutes(ctx));
  api.use('/memberships', membershipRoutes(ctx));
  api.use('/fee-schedules', feeScheduleRoutes());
  api.use('/membership-reminders', reminderRoutes());
  api.use('/solicitations', solicitationRoutes(ctx));
  api.use('/solicitation-templates', answerTemplateRoutes());
  api.use('/reports', reportRoutes(ctx));
  api.use('/dashboard', dashboardRoutes());
  api.use('/events', eventRoutes(ctx));
  api.use('/registrations', registrationRoutes(ctx));
  for (const [resource, kind] of Object.entries(VOCABULARY_ALIASES)) api.use(`/${resource}`, vocabularyAliasRoutes(kind, resource));
  return api;
}

/** Public pages (no login, French, work without JavaScript). */
export function publicRoutes(ctx: AppContext): Router {
  const pages = Router();
  pages.use(homePage(ctx));
  pages.use(subscriptionPages(ctx));
  pages.use('/sollicitation', publicSolicitationRoutes(ctx));
  pages.use(archivePages(ctx));
  pages.use(clickRoutes(ctx));
  pages.use(eventPages(ctx));
  return pages;
}
