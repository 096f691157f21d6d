import { Router } from 'express';
import { z } from 'zod';
import { parseBody } from '../lib/rest.js';
import { allow, READ } from '../users/auth.middleware.js';
import { reportToCsv, reportToMarkdown } from './report.format.js';
import { activityReport } from './report.service.js';
import { reportToHtmlDocument, reportToHtmlFragment } from './report.html.js';
import { htmlToPdf } from '../lib/pdf.js';
import type { AppContext } from '../context.js';

const activityQuery = z.strictObject({
  year: z.coerce.number('doit être une année').int('doit être une année').min(2000, 'année trop ancienne').max(2100, 'année trop lointaine'),
  format: z.enum(['json', 'md', 'csv', 'html', 'pdf'], 'format inconnu (json, md, csv, html ou pdf)').optional(),
});

/** `/api/reports` */
export function reportRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/activity', allow(READ), async (req, res) => {
    const { year, format } = parseBody(activityQuery, req.query);
    const report = await activityReport(year);
    if (format === 'md') return res.attachment(`rapport-activite-${year}.md`).type('text/markdown; charset=utf-8').send(reportToMarkdown(report));
    if (format === 'html') return res.json({ year, html: reportToHtmlFragment(report) });
    if (format === 'pdf') {
      const pdf = await htmlToPdf(reportToHtmlDocument(report, ctx.config), ctx.config.chromiumPath);
      return res.attachment(`rapport-activite-${year}.pdf`).type('application/pdf').send(pdf);
    }
    if (format === 'csv') {
      res.attachment(`rapport-activite-${year}.csv`);
      return res.type('text/csv; charset=utf-8').send(reportToCsv(report));
    }
    res.json(report);
  });
  return router;
}
