import { Box, Card, CardContent, Grid, Skeleton, Typography } from '@mui/material';
import { lazy, Suspense } from 'react';
import { Title, useGetIdentity, useGetList } from 'react-admin';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { monthLabel, statusLabel, type Newsletter } from '../newsletters/newsletterModel';
import { ActivityReportDownload } from './ActivityReportDownload';
import type { ActivityReport } from './reportModel';

// recharts is loaded with the dashboard only: the contact list does not pay for it.
const DashboardCharts = lazy(() => import('./DashboardCharts'));

function Figure({ label, value, detail, to }: { label: string; value: string | number | undefined; detail?: string; to?: string }) {
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

const onePage = { pagination: { page: 1, perPage: 1 } };

/** Key figures of the current year, charts, and the activity report download. */
export function Dashboard() {
  const { identity } = useGetIdentity();
  const year = new Date().getFullYear();
  const { data: report } = useApi<ActivityReport>(`/reports/activity?year=${year}`);
  const { total: contacts } = useGetList('contacts', onePage);
  const { total: openSolicitations } = useGetList('solicitations', { ...onePage, filter: { status: ['new', 'in-progress'] } });
  const { data: newsletters } = useGetList<Newsletter>('newsletters', { ...onePage, sort: { field: 'month', order: 'DESC' } });
  const next = newsletters?.[0];
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
          <Figure label="Contacts" value={contacts} detail={report ? `${report.contacts.qualifiedShare} % qualifiés` : undefined} to="/contacts" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure
            label="Abonné·es à la lettre"
            value={report?.subscriptions.subscribersAtYearEnd}
            detail={report ? `+${report.subscriptions.gained} / −${report.subscriptions.lost} cette année` : undefined}
          />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure label="Adhérent·es à jour" value={report?.members.total} detail={report ? `${report.members.unpaid} adhésion(s) non payée(s)` : undefined} to="/memberships" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 4, lg: 2 }}>
          <Figure label="Sollicitations ouvertes" value={openSolicitations} detail={report ? `${report.solicitations.total} reçues cette année` : undefined} to="/solicitations" />
        </Grid>
        <Grid size={{ xs: 12, sm: 12, md: 8, lg: 4 }}>
          <Figure
            label="Dernière lettre"
            value={next ? monthLabel(next.month) : newsletters ? 'Aucune' : undefined}
            detail={next ? `${statusLabel(next.status)}${next.figures ? ` — ${next.figures.sent} envoi(s)` : ''}` : undefined}
            to={next ? `/newsletters/${next.id}/show` : '/newsletters'}
          />
        </Grid>
      </Grid>
      <Suspense fallback={<Skeleton variant="rectangular" height={320} />}>
        <DashboardCharts year={year} report={report} />
      </Suspense>
      <ActivityReportDownload />
    </Box>
  );
}
