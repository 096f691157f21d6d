import { Box, Button, Card, CardContent, Grid, Skeleton, Typography } from '@mui/material';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Title, useGetIdentity, useGetList, type GetListParams } from 'react-admin';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { callApi, dataProvider, readEarly } from '../dataProvider';
import { monthLabel, statusLabel, type Newsletter } from '../newsletters/newsletterModel';
import { formatNumber, formatPercent } from '../common/format';
import { lastCompleteYear, ReportToolbar } from './ActivityReportDownload';
import type { ActivityReport } from './reportModel';
import { RECENT_CAMPAIGNS_PATH, RecentCampaigns } from './RecentCampaigns';

// recharts is loaded with the dashboard only: the contact list does not pay for it.
const DashboardCharts = lazy(() => import('./DashboardCharts'));

/**
 * True once the key figures are on screen: the charts (recharts, the heaviest part of the
 * dashboard to load and draw) wait for them rather than delay them.
 */
function useShownAfter(figuresShown: boolean): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!figuresShown || shown) return;
    const timer = window.setTimeout(() => setShown(true), 0);
    return () => window.clearTimeout(timer);
  }, [figuresShown, shown]);
  return shown;
}

function Figure({ label, value, detail, to }: { label: string; value: number | string | undefined; detail?: string; to?: string }) {
  const content = (
    <CardContent>
      <Typography variant="body2" color="text.secondary" component="h2">
        {label}
      </Typography>
      <Typography variant="h4" component="p">
        {typeof value === 'number' ? formatNumber(value) : (value ?? '…')}
      </Typography>
      {detail && <Typography variant="body2">{detail}</Typography>}
    </CardContent>
  );
  return (
    <Card variant="outlined" sx={{ height: '100%' }}>
      {to ? (
        <Box component={Link} to={to} sx={{ color: 'inherit', textDecoration: 'none', display: 'block' }}>
          {content}
        </Box>
      ) : (
        content
      )}
    </Card>
  );
}

const unpaidText = (n: number) => (n === 0 ? 'toutes payées' : `${formatNumber(n)} ${n >= 2 ? 'adhésions non payées' : 'adhésion non payée'}`);

/** The last complete year's report by default; the whole report opens on its own screen. */
function ActivityReportCard() {
  const [year, setYear] = useState(lastCompleteYear());
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Rapport d'activité
        </Typography>
        <ReportToolbar year={year} onYear={setYear} />
        <Button component={Link} to={`/rapport-activite?annee=${year}`} variant="contained" sx={{ mt: 2 }}>
          Lire le rapport {year} à l'écran
        </Button>
      </CardContent>
    </Card>
  );
}

const onePage = { pagination: { page: 1, perPage: 1 }, filter: {} };
const byId = { field: 'id', order: 'DESC' } as const;
const activityPath = () => `/reports/activity?year=${new Date().getFullYear()}`;
/** The dashboard's reads: the same parameters for its hooks and for `startDashboardReads`. */
const LISTS = {
  contacts: { ...onePage, sort: byId },
  solicitations: { ...onePage, sort: byId, filter: { status: ['new', 'in-progress'] } },
  newsletters: { ...onePage, sort: { field: 'month', order: 'DESC' } },
} satisfies Record<string, GetListParams>;

/**
 * Starts the dashboard's reads before React draws anything (main.tsx, when the dashboard is the
 * page opened): when the screen asks, the answers are under way or there (`readEarly`).
 */
export function startDashboardReads(): void {
  const ignore = () => undefined; // a signed-out visitor: the screen will not ask
  readEarly(() => {
    for (const [resource, params] of Object.entries(LISTS)) dataProvider.getList(resource, params).catch(ignore);
    callApi(activityPath()).catch(ignore);
    callApi(RECENT_CAMPAIGNS_PATH).catch(ignore);
  });
}

/** Key figures of the current year, charts, and the activity report download. */
export function Dashboard() {
  const { identity } = useGetIdentity();
  const year = new Date().getFullYear();
  const { data: report } = useApi<ActivityReport>(activityPath());
  const { total: contacts } = useGetList('contacts', LISTS.contacts);
  const { total: openSolicitations } = useGetList('solicitations', LISTS.solicitations);
  const { data: newsletters } = useGetList<Newsletter>('newsletters', LISTS.newsletters);
  const next = newsletters?.[0];
  const chartsShown = useShownAfter(report !== undefined && contacts !== undefined);
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Tableau de bord" />
      <Typography variant="h5" component="h1" gutterBottom>
        Bonjour{identity?.fullName ? ` ${identity.fullName}` : ''}
      </Typography>
      <Typography color="text.secondary" gutterBottom>
        Chiffres de l'année {year}
      </Typography>
      <Grid container spacing={2} sx={{ mb: 2 }}>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure label="Contacts" value={contacts} detail={report ? `${formatPercent(report.contacts.qualifiedShare / 100)} qualifiés` : undefined} to="/contacts" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure
            label="Abonné·es à la lettre"
            value={report?.subscriptions.subscribersAtYearEnd}
            detail={report ? `+${formatNumber(report.subscriptions.gained)} / −${formatNumber(report.subscriptions.lost)} cette année` : undefined}
          />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure label="Adhérent·es à jour" value={report?.members.total} detail={report ? unpaidText(report.members.unpaid) : undefined} to="/memberships" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure label="Sollicitations ouvertes" value={openSolicitations} detail={report ? `${formatNumber(report.solicitations.total)} reçues cette année` : undefined} to="/solicitations" />
        </Grid>
        <Grid size={{ xs: 12, sm: 12, md: 8, lg: 4 }}>
          <Figure
            label="Dernière lettre"
            value={next ? monthLabel(next.month) : newsletters ? 'Aucune' : undefined}
            detail={next ? `${statusLabel(next.status)}${next.figures ? ` — ${formatNumber(next.figures.sent)} ${next.figures.sent >= 2 ? 'envois' : 'envoi'}` : ''}` : undefined}
            to={next ? `/newsletters/${next.id}/show` : '/newsletters'}
          />
        </Grid>
      </Grid>
      <Suspense fallback={<Skeleton variant="rectangular" height={320} />}>
        {chartsShown ? <DashboardCharts year={year} report={report} /> : <Skeleton variant="rectangular" height={320} />}
      </Suspense>
      <RecentCampaigns />
      <ActivityReportCard />
    </Box>
  );
}
