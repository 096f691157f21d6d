import { Box, Button, Card, CardContent, Grid, Skeleton, Typography } from '@mui/material';
import { lazy, Suspense, useEffect, useLayoutEffect, useState } from 'react';
import { Title, useGetIdentity } from 'react-admin';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { removeFirstPaint } from '../firstPaint/shell';
import { lastCompleteYear, ReportToolbar } from './ActivityReportDownload';
import { activityPath, DASHBOARD_COUNTS_PATH, keyFigures, type DashboardCounts, type KeyFigure } from './keyFigures';
import type { ActivityReport } from './reportModel';
import { RecentCampaigns } from './RecentCampaigns';

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

function Figure({ label, value, detail, to }: KeyFigure) {
  const content = (
    <CardContent>
      <Typography variant="body2" color="text.secondary" component="h2">
        {label}
      </Typography>
      <Typography variant="h4" component="p">
        {value ?? '…'}
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

/** Key figures of the current year, charts, and the activity report download. */
export function Dashboard() {
  const { identity } = useGetIdentity();
  const year = new Date().getFullYear();
  const { data: report } = useApi<ActivityReport>(activityPath(year));
  const { data: counts } = useApi<DashboardCounts>(DASHBOARD_COUNTS_PATH);
  const chartsShown = useShownAfter(report !== undefined && counts !== undefined);
  useLayoutEffect(removeFirstPaint, []); // in the commit that draws the figures: no frame without either
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
        {keyFigures(counts, report).map((figure) => (
          <Grid key={figure.label} size={figure.wide ? { xs: 12, sm: 12, md: 8, lg: 4 } : { xs: 12, sm: 6, md: 4, lg: 2 }}>
            <Figure {...figure} />
          </Grid>
        ))}
      </Grid>
      <Suspense fallback={<Skeleton variant="rectangular" height={320} />}>
        {chartsShown ? <DashboardCharts year={year} report={report} /> : <Skeleton variant="rectangular" height={320} />}
      </Suspense>
      <RecentCampaigns />
      <ActivityReportCard />
    </Box>
  );
}
