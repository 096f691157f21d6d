import { Router } from 'express';
import { z } from 'zod';
import { parseBody } from '../lib/rest.js';
import { parisYear } from '../lib/paris-time.js';
import { allow, READ } from '../users/auth.middleware.js';
import { recentCampaignFigures } from '../campaigns/campaign.service.js';
import { dashboardCounts, monthlySubscriptionFlows } from './dashboard.service.js';

const query = z.strictObject({
  year: z.coerce.number('doit être une année').int('doit être une année').min(2000, 'année trop ancienne').max(2100, 'année trop lointaine').optional(),
});

/** `/api/dashboard`: the counts and series the admin's dashboard shows beside the activity report. */
export function dashboardRoutes(): Router {
  const router = Router();
  router.get('/counts', allow(READ), async (_req, res) => res.json(await dashboardCounts()));
  router.get('/subscriptions', allow(READ), async (req, res) => {
    const { year } = parseBody(query, req.query);
    res.json(await monthlySubscriptionFlows(year ?? parisYear(new Date())));
  });
  router.get('/campaigns', allow(READ), async (_req, res) => res.json(await recentCampaignFigures()));
  return router;
}
