import { Alert, Box, Button, Card, CardContent, Chip, Divider, Grid, LinearProgress, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Confirm, Title, useCanAccess, useNotify } from 'react-admin';
import { useParams } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { callApi } from '../dataProvider';
import { monthLabel, statusLabel, type Newsletter } from './newsletterModel';
import { NewsletterItems } from './NewsletterItems';
import { NewsletterPreview } from './NewsletterPreview';

function SendingProgress({ issue }: { issue: Newsletter }) {
  const f = issue.figures;
  if (!f) return null;
  const done = f.sent + f.failed;
  const percent = f.total ? Math.round((done / f.total) * 100) : 100;
  return (
    <Box sx={{ my: 2 }}>
      <Typography id="sending-progress-label" gutterBottom>
        {issue.status === 'sending' ? 'Envoi en cours' : 'Envoi terminé'} : {f.sent} envoyé(s), {f.failed} échec(s), {f.remaining} restant(s) sur {f.total}
        {issue.status === 'sent' ? ` — ${f.bounced} adresse(s) en erreur, ${f.unsubscribed} désabonnement(s)` : ''}
      </Typography>
      <LinearProgress variant="determinate" value={percent} aria-labelledby="sending-progress-label" sx={{ height: 10, borderRadius: 5 }} />
    </Box>
  );
}

/** The review screen: previews, editorial, items, test send, approve, schedule or send, progress, figures. */
export function NewsletterReview() {
  const { id } = useParams();
  const [refreshMs, setRefreshMs] = useState<number>();
  const { data: issue, error, reload } = useApi<Newsletter>(`/newsletters/${id}`, { refreshMs });
  const [editorial, setEditorial] = useState('');
  const [order, setOrder] = useState<{ items: string[]; excluded: string[] }>({ items: [], excluded: [] });
  const [testEmails, setTestEmails] = useState('');
  const [scheduleAt, setScheduleAt] = useState('');
  const [confirmSend, setConfirmSend] = useState(false);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const { canAccess: canWrite } = useCanAccess({ resource: 'newsletters', action: 'edit' });

  useEffect(() => setRefreshMs(issue?.status === 'sending' || (issue?.status === 'approved' && issue.scheduledAt) ? 1000 : undefined), [issue]);
  useEffect(() => {
    if (!issue) return;
    setEditorial(issue.editorial);
    setOrder({ items: issue.items, excluded: issue.excluded });
  }, [issue?.id, issue?.compiledAt]); // eslint-disable-line react-hooks/exhaustive-deps

  async function act(path: string, init: { method?: string; body?: unknown }, message: string) {
    setBusy(true);
    try {
      await callApi(`/newsletters/${id}${path}`, init);
      notify(message, { type: 'success' });
      reload();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  }

  if (error) return <Alert severity="error">{error.message}</Alert>;
  if (!issue) return <LinearProgress aria-label="Chargement" />;
  const draft = issue.status === 'draft';
  const dirty = editorial !== issue.editorial || order.items.join() !== issue.items.join() || order.excluded.join() !== issue.excluded.join();

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={issue.title} />
      <CardContent>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h1">
            {issue.title}
          </Typography>
          <Chip label={statusLabel(issue.status)} color={issue.status === 'sent' ? 'success' : issue.status === 'draft' ? 'default' : 'primary'} />
        </Box>
        <Typography color="text.secondary" gutterBottom>
          Actualités de {monthLabel(issue.month)} · objet : « {issue.subject} » · compilée le {new Date(issue.compiledAt).toLocaleString('fr-FR')}
          {issue.approvedAt ? ` · approuvée le ${new Date(issue.approvedAt).toLocaleString('fr-FR')}${issue.approvedBy ? ` par ${issue.approvedBy}` : ''}` : ''}
          {issue.scheduledAt && issue.status === 'approved' ? ` · envoi programmé le ${new Date(issue.scheduledAt).toLocaleString('fr-FR')}` : ''}
        </Typography>
        <SendingProgress issue={issue} />

        {canWrite && (
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', my: 2 }}>
            {issue.status !== 'sent' && issue.status !== 'sending' && (
              <>
                <TextField
                  size="small"
                  fullWidth={false}
                  label="Envoyer un test à (adresses séparées par des virgules)"
                  value={testEmails}
                  onChange={(e) => setTestEmails(e.target.value)}
                  sx={{ minWidth: 360 }}
                />
                <Button
                  variant="outlined"
                  disabled={busy || !testEmails.trim()}
                  onClick={() => act('/test', { body: { emails: testEmails.split(/[,;\s]+/).filter(Boolean) } }, 'Test envoyé.')}
                >
                  Envoyer le test
                </Button>
              </>
            )}
            {draft && (
              <Button variant="contained" disabled={busy || dirty} onClick={() => act('/approve', { method: 'POST' }, 'Lettre approuvée.')}>
                Approuver
              </Button>
            )}
            {issue.status === 'approved' && (
              <>
                <Button variant="outlined" disabled={busy} onClick={() => act('/reopen', { method: 'POST' }, 'Lettre repassée en brouillon.')}>
                  Repasser en brouillon
                </Button>
                <TextField
                  size="small"
                  type="datetime-local"
                  fullWidth={false}
                  label="Programmer l'envoi le"
                  value={scheduleAt}
                  onChange={(e) => setScheduleAt(e.target.value)}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <Button
                  variant="outlined"
                  disabled={busy || !scheduleAt}
                  onClick={() => act('/send', { body: { at: new Date(scheduleAt).toISOString() } }, 'Envoi programmé.')}
                >
                  Programmer
                </Button>
                <Button variant="contained" color="secondary" disabled={busy} onClick={() => setConfirmSend(true)}>
                  Envoyer maintenant
                </Button>
              </>
            )}
          </Box>
        )}
        <Confirm
          isOpen={confirmSend}
          title="Envoyer la lettre maintenant ?"
          content="La lettre part à tous les abonné·es de la liste. L'envoi ne peut pas être annulé une fois commencé."
          confirm="Envoyer"
          onConfirm={() => {
            setConfirmSend(false);
            act('/send', { body: {} }, 'Envoi lancé.');
          }}
          onClose={() => setConfirmSend(false)}
        />
        {issue.testSends.length > 0 && (
          <Typography variant="body2" color="text.secondary">
            Dernier test : {new Date(issue.testSends[issue.testSends.length - 1].at).toLocaleString('fr-FR')} à{' '}
            {issue.testSends[issue.testSends.length - 1].emails.join(', ')}
          </Typography>
        )}
        <Divider sx={{ my: 2 }} />
        <Grid container spacing={3}>
          <Grid size={{ xs: 12, lg: 4 }}>
            <Typography variant="h6" component="h2">
              Éditorial
            </Typography>
            <TextField
              multiline
              minRows={6}
              fullWidth
              label="Actions de la Fabrique ce mois-ci"
              value={editorial}
              onChange={(e) => setEditorial(e.target.value)}
              disabled={!draft || !canWrite}
              sx={{ my: 1 }}
            />
            <NewsletterItems items={order.items} excluded={order.excluded} editable={draft && !!canWrite} onChange={setOrder} />
            {draft && canWrite && (
              <Button variant="contained" disabled={busy || !dirty} onClick={() => act('', { method: 'PUT', body: { editorial, ...order } }, 'Lettre mise à jour.')}>
                Enregistrer et recompiler
              </Button>
            )}
            {dirty && <Typography variant="body2">Modifications non enregistrées : l'aperçu montre la dernière version enregistrée.</Typography>}
          </Grid>
          <Grid size={{ xs: 12, lg: 8 }}>
            <NewsletterPreview issue={issue} />
          </Grid>
        </Grid>
      </CardContent>
    </Card>
  );
}
