import { Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { campaignStatusLabel } from '../campaigns/campaignModel';
import { count, type Outcome } from '../mailings/mailingModel';
import { RECENT_CAMPAIGNS_PATH } from './keyFigures';

type Recent = { id: string; subject: string; status: string; sendingAt: string | null; figures: Outcome; clicks: number };

/** The last targeted mailings and what happened to them, in aggregate. */
export function RecentCampaigns() {
  const { data } = useApi<Recent[]>(RECENT_CAMPAIGNS_PATH);
  if (!data?.length) return null;
  return (
    <Card variant="outlined" sx={{ my: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Derniers envois ciblés
        </Typography>
        <Table size="small" aria-label="Derniers envois ciblés">
          <TableHead>
            <TableRow>
              <TableCell>Objet</TableCell>
              <TableCell>Parti le</TableCell>
              <TableCell align="right">Destinataires</TableCell>
              <TableCell align="right">Remis</TableCell>
              <TableCell align="right">Rebonds</TableCell>
              <TableCell align="right">Désabonnements</TableCell>
              <TableCell align="right">Clics</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.map((c) => (
              <TableRow key={c.id}>
                <TableCell>
                  <Link to={`/campaigns/${c.id}/show`}>{c.subject}</Link> ({campaignStatusLabel(c.status).toLowerCase()})
                </TableCell>
                <TableCell>{c.sendingAt ? new Date(c.sendingAt).toLocaleDateString('fr-FR') : '—'}</TableCell>
                <TableCell align="right">{count(c.figures.recipients)}</TableCell>
                <TableCell align="right">{count(c.figures.delivered)}</TableCell>
                <TableCell align="right">{count(c.figures.hardBounces + c.figures.softBounces)}</TableCell>
                <TableCell align="right">{count(c.figures.unsubscribed)}</TableCell>
                <TableCell align="right">{count(c.clicks)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
