import { IDENTITY_PATH } from '../common/earlyReads';
import { formatNumber, formatPercent } from '../common/format';
import { monthLabel, statusLabel, type NewsletterStatus } from '../newsletters/newsletterModel';
import type { ActivityReport } from './reportModel';

/**
 * The dashboard's reads and its key figures, as words: drawn by the app (Dashboard.tsx) and, before
 * the app has loaded, by the first paint (firstPaint/). No React or MUI here: the first paint's
 * bundle stays a few kilobytes.
 */
export const DASHBOARD_COUNTS_PATH = '/dashboard/counts';
export const RECENT_CAMPAIGNS_PATH = '/dashboard/campaigns';
export const activityPath = (year: number) => `/reports/activity?year=${year}`;

/** Every read of the dashboard, API paths: the first paint starts them all. */
export const dashboardReads = (year: number) => [IDENTITY_PATH, DASHBOARD_COUNTS_PATH, activityPath(year), RECENT_CAMPAIGNS_PATH];

/** `GET /api/dashboard/counts` (server/dashboard/dashboard.service.ts). */
export type DashboardCounts = {
  contacts: number;
  openSolicitations: number;
  latestNewsletter: { id: string; month: string; status: NewsletterStatus; sent: number | null } | null;
};

/** One figure's card; `value` undefined while its read has not answered. `wide` takes two columns. */
export type KeyFigure = { label: string; value?: string; detail?: string; to?: string; wide?: boolean };

const unpaidText = (n: number) => (n === 0 ? 'toutes payées' : `${formatNumber(n)} ${n >= 2 ? 'adhésions non payées' : 'adhésion non payée'}`);
const sentText = (n: number) => `${formatNumber(n)} ${n >= 2 ? 'envois' : 'envoi'}`;

function newsletterFigure(counts: DashboardCounts | undefined): KeyFigure {
  const latest = counts?.latestNewsletter;
  return {
    label: 'Dernière lettre',
    value: latest ? monthLabel(latest.month) : counts && 'Aucune',
    detail: latest ? `${statusLabel(latest.status)}${latest.sent !== null ? ` — ${sentText(latest.sent)}` : ''}` : undefined,
    to: latest ? `/newsletters/${latest.id}/show` : '/newsletters',
    wide: true,
  };
}

/** The figures of the current year; paths are the admin's routes (under /admin). */
export function keyFigures(counts: DashboardCounts | undefined, report: ActivityReport | undefined): KeyFigure[] {
  const number = (value: number | undefined) => (value === undefined ? undefined : formatNumber(value));
  return [
    { label: 'Contacts', value: number(counts?.contacts), detail: report && `${formatPercent(report.contacts.qualifiedShare / 100)} qualifiés`, to: '/contacts' },
    {
      label: 'Abonné·es à la lettre',
      value: number(report?.subscriptions.subscribersAtYearEnd),
      detail: report && `+${formatNumber(report.subscriptions.gained)} / −${formatNumber(report.subscriptions.lost)} cette année`,
    },
    { label: 'Adhérent·es à jour', value: number(report?.members.total), detail: report && unpaidText(report.members.unpaid), to: '/memberships' },
    { label: 'Sollicitations ouvertes', value: number(counts?.openSolicitations), detail: report && `${formatNumber(report.solicitations.total)} reçues cette année`, to: '/solicitations' },
    newsletterFigure(counts),
  ];
}
