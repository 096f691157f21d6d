import { Alert, Box, Button, Card, CardContent, Chip, Divider, Grid, LinearProgress, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Confirm, Title, useCanAccess } from 'react-admin';
import { useParams } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { AudiencePanel, OutcomePanel, ProgressPanel } from '../mailings/MailingPanels';
import { audienceTarget, count, plural } from '../mailings/mailingModel';
import { useMailingAction } from '../mailings/useMailingAction';
import { monthLabel, statusLabel, type Newsletter } from './newsletterModel';
import { NewsletterItems } from './NewsletterItems';
import { NewsletterPreview } from './NewsletterPreview';

/** The review screen: previews, editorial, items, test send, approve, schedule or send, progress, figures. */
export function NewsletterReview() {
  const { id } = useParams();
  const [refreshMs, setRefreshMs] = useState<number>();
  const { data: issue, error, reload } = useApi<Newsletter>(`/newsletters/${id}`, { refreshMs });
  const [editorial, setEditorial] = useState('');
  const [subject, setSubject] = useState('');
  const [confirmApprove, setConfirmApprove] = useState(false);
  const [order, setOrder] = useState<{ items: string[]; excluded: string[] }>({ items: [], excluded: [] });
  const [testEmails, setTestEmails] = useState('');
  const [scheduleAt, setScheduleAt] = useState('');
  const [confirmSend, setConfirmSend] = useState(false);
  const { busy, act } = useMailingAction(`/newsletters/${id}`, reload);
  const { canAccess: canWrite } = useCanAccess({ resource: 'newsletters', action: 'edit' });

  useEffect(() => setRefreshMs(issue?.status === 'sending' || (issue?.status === 'approved' && issue.scheduledAt) ? 1000 : undefined), [issue]);
  useEffect(() => {
    if (!issue) return;
    setEditorial(issue.editorial);
    setSubject(issue.subject ?? issue.title);
    setOrder({ items: issue.items, excluded: issue.excluded });
  }, [issue?.id, issue?.compiledAt]); // eslint-disable-line react-hooks/exhaustive-deps

  if (error) return <Alert severity="error">{error.message}</Alert>;
  if (!issue) return <LinearProgress aria-label="Chargement" />;
  const draft = issue.status === 'draft';
  const target = audienceTarget(issue.listName, issue.segmentName);
  const recipients = plural(issue.audience?.count ?? 0, 'destinataire', 'destinataires');
  const dirty = editorial !== issue.editorial || subject !== (issue.subject ?? issue.title) || order.items.join() !== issue.items.join() || order.excluded.join() !== issue.excluded.join();

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
        {!issue.progress && <AudiencePanel listName={issue.listName} segmentName={issue.segmentName} audience={issue.audience} />}
        <ProgressPanel progress={issue.progress} starting={issue.status === 'sending' && !issue.progress} />

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
              <Button variant="contained" disabled={busy || dirty} onClick={() => setConfirmApprove(true)}>
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
          isOpen={confirmApprove}
          title="Approuver la lettre ?"
          content={`Destinataires : ${target} — ${recipients} à ce jour. Une fois approuvée, la lettre n'est plus modifiée sans repasser en brouillon.`}
          confirm="Approuver"
          cancel="Retour"
          onConfirm={() => {
            setConfirmApprove(false);
            act('/approve', { method: 'POST' }, 'Lettre approuvée.');
          }}
          onClose={() => setConfirmApprove(false)}
        />
        <Confirm
          isOpen={confirmSend}
          title={`Envoyer à ${recipients} ?`}
          content={`La lettre part maintenant (${target}). L'envoi peut être suspendu depuis la liste des envois.`}
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
        <OutcomePanel outcome={issue.outcome} clicks={issue.clicks} />
        {issue.categoryClicks && issue.categoryClicks.length > 0 && (
          <Typography variant="body2">
            Rubriques les plus lues : {issue.categoryClicks.map((c) => `${c.label} (${count(c.clicks)} clic${c.clicks > 1 ? 's' : ''})`).join(', ')}.
          </Typography>
        )}
        <Divider sx={{ my: 2 }} />
        <Grid container spacing={3}>
          <Grid size={{ xs: 12, lg: 4 }}>
            <TextField
              fullWidth
              label="Objet de l'e-mail"
              value={subject}
              onChange={(e) => setSubject(e.target.value)}
              disabled={!draft || !canWrite}
              sx={{ my: 1 }}
            />
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
              <Button variant="contained" disabled={busy || !dirty} onClick={() => act('', { method: 'PUT', body: { editorial, subject, ...order } }, 'Lettre mise à jour.')}>
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
