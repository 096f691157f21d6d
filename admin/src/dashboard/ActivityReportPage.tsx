import { Alert, Box, Card, CardContent, Grid, Skeleton, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import { formatEuros, formatNumber } from '../common/format';
import { useApi } from '../common/useApi';
import { lastCompleteYear, ReportToolbar } from './ActivityReportDownload';
import { SharesChart } from './DashboardCharts';
import type { FullActivityReport } from './reportModel';

/** Tables of the server's HTML fragment, readable and contrasted. */
const PROSE = {
  '& h1': { fontSize: '1.6rem', mt: 0 },
  '& h2': { fontSize: '1.3rem', mt: 3, borderBottom: 1, borderColor: 'divider' },
  '& h3': { fontSize: '1.1rem', mt: 2 },
  '& h4': { fontSize: '1rem', mt: 2 },
  '& p': { maxWidth: '75ch' },
  '& table': { borderCollapse: 'collapse', my: 1, minWidth: { md: 480 } },
  '& th, & td': { borderBottom: 1, borderColor: 'divider', px: 1, py: 0.5 },
  '& th': { backgroundColor: 'action.hover' },
} as const;

/**
 * The activity report of a chosen year (the last complete one by default): key figures,
 * charts, the generated sentences and tables, and the downloads.
 */
export default function ActivityReportPage() {
  const [params, setParams] = useSearchParams();
  const year = Number(params.get('annee')) || lastCompleteYear();
  const { data: report, error } = useApi<FullActivityReport>(`/reports/activity?year=${year}`);
  const { data: prose } = useApi<{ year: number; html: string }>(`/reports/activity?year=${year}&format=html`);
  const current = report?.year === year ? report : undefined;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`Rapport d'activité ${year}`} />
      <Typography variant="h5" component="h1" gutterBottom>
        Rapport d'activité {year}
      </Typography>
      <ReportToolbar year={year} onYear={(y) => setParams({ annee: String(y) })} />
      {error && <Alert severity="error">{error.message}</Alert>}
      {current ? (
        <>
          <Grid container spacing={2} sx={{ my: 2 }}>
            {[
              ['Contacts au 31/12', formatNumber(current.contacts.total)],
              ['Abonné·es à la lettre', formatNumber(current.subscriptions.subscribersAtYearEnd)],
              ['Sollicitations reçues', formatNumber(current.solicitations.total)],
              ['Adhérent·es', formatNumber(current.members.total)],
              ['Cotisations encaissées', formatEuros(current.members.duesCollected)],
              ['Actualités diffusées', formatNumber(current.news.total)],
            ].map(([label, value]) => (
              <Grid key={label} size={{ xs: 6, md: 4, lg: 2 }}>
                <Card variant="outlined">
                  <CardContent>
                    <Typography variant="body2" color="text.secondary" component="h2">
                      {label}
                    </Typography>
                    <Typography variant="h5" component="p">
                      {value}
                    </Typography>
                  </CardContent>
                </Card>
              </Grid>
            ))}
          </Grid>
          <Grid container spacing={2} sx={{ mb: 2 }}>
            <Grid size={{ xs: 12, lg: 6 }}>
              <SharesChart title={`Sollicitations par type (${year})`} rows={current.solicitations.byType} />
            </Grid>
            <Grid size={{ xs: 12, lg: 6 }}>
              <SharesChart title={`Sollicitations par type de demandeur (${year})`} rows={current.solicitations.byRequesterType} />
            </Grid>
            <Grid size={{ xs: 12, lg: 6 }}>
              <SharesChart title={`Actualités par catégorie (${year})`} rows={current.news.byCategory} />
            </Grid>
            <Grid size={{ xs: 12, lg: 6 }}>
              <SharesChart title={`Adhérent·es par type (${year})`} rows={current.members.byKind} />
            </Grid>
          </Grid>
        </>
      ) : (
        !error && <Skeleton variant="rectangular" height={240} sx={{ my: 2 }} />
      )}
      <Card variant="outlined">
        <CardContent>
          {prose?.year === year ? (
            // The server renders its own Markdown without raw HTML: labels typed by staff stay text.
            <Box component="article" aria-label={`Texte du rapport ${year}`} sx={PROSE} dangerouslySetInnerHTML={{ __html: prose.html }} />
          ) : (
            <Skeleton variant="text" height={200} />
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
