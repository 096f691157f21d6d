import { Card, CardContent, Grid, Typography } from '@mui/material';
import { useMemo } from 'react';
import { useGetList } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApi } from '../common/useApi';
import type { ActivityReport, Share } from './reportModel';

type Flows = { months: { month: string; gained: number; lost: number }[] };

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

export function ChartCard({ title, summary, children }: { title: string; summary: string; children: React.ReactElement }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          {title}
        </Typography>
        {/* The figures in words, for screen readers: an SVG chart says nothing to them. */}
        <Typography variant="body2" sx={{ position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
          {summary}
        </Typography>
        <div aria-hidden="true" style={{ width: '100%', height: 280 }}>
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        </div>
      </CardContent>
    </Card>
  );
}

export function SharesChart({ title, rows }: { title: string; rows: Share[] }) {
  const data = rows.filter((r) => r.count > 0);
  if (!data.length) {
    return (
      <Card variant="outlined" sx={{ height: '100%' }}>
        <CardContent>
          <Typography variant="h6" component="h2" gutterBottom>
            {title}
          </Typography>
          <Typography color="text.secondary">Aucune donnée pour l'instant.</Typography>
        </CardContent>
      </Card>
    );
  }
  return (
    <ChartCard title={title} summary={data.map((r) => `${r.label} : ${r.count}`).join(', ') || 'Aucune donnée.'}>
      <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ left: 16, right: 16 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="label" width={180} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Bar dataKey="count" name="Nombre" fill="#1d5a8c" />
      </BarChart>
    </ChartCard>
  );
}

/** News of the current month per category (the items the next newsletter will carry). */
function NewsThisMonth() {
  const now = new Date();
  const since = new Date(Date.UTC(now.getFullYear(), now.getMonth(), 1)).toISOString().slice(0, 10);
  const { data: news } = useGetList<{ id: string; category: string }>('news', {
    filter: { publishedAt_gte: since },
    pagination: { page: 1, perPage: 1000 },
    sort: { field: 'publishedAt', order: 'DESC' },
  });
  const { data: categories } = useGetList<{ id: string; label: string }>('news-categories', {
    pagination: { page: 1, perPage: 100 },
    sort: { field: 'order', order: 'ASC' },
  });
  const rows = useMemo(
    () => (categories ?? []).map((c) => ({ code: c.id, label: c.label, count: (news ?? []).filter((n) => n.category === c.id).length, share: 0 })),
    [news, categories],
  );
  return <SharesChart title="Actualités du mois par catégorie" rows={rows} />;
}

export default function DashboardCharts({ year, report }: { year: number; report: ActivityReport | undefined }) {
  const { data: flows } = useApi<Flows>(`/dashboard/subscriptions?year=${year}`);
  const monthly = (flows?.months ?? []).map((m, i) => ({ ...m, label: MONTHS[i] }));
  return (
    <Grid container spacing={2} sx={{ mb: 2 }}>
      <Grid size={{ xs: 12, lg: 6 }}>
        <ChartCard
          title={`Abonné·es à la lettre par mois (${year})`}
          summary={monthly.map((m) => `${m.label} : +${m.gained} / −${m.lost}`).join(', ')}
        >
          <BarChart accessibilityLayer={false} data={monthly}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="gained" name="Nouveaux" fill="#2e7d32" />
            <Bar dataKey="lost" name="Départs" fill="#c62828" />
          </BarChart>
        </ChartCard>
      </Grid>
      <Grid size={{ xs: 12, lg: 6 }}>
        <NewsThisMonth />
      </Grid>
      <Grid size={{ xs: 12, lg: 6 }}>
        <SharesChart title={`Sollicitations par type (${year})`} rows={report?.solicitations.byType ?? []} />
      </Grid>
      <Grid size={{ xs: 12, lg: 6 }}>
        <SharesChart title={`Sollicitations par type de demandeur (${year})`} rows={report?.solicitations.byRequesterType ?? []} />
      </Grid>
    </Grid>
  );
}
