import { Alert, Box, Button, Card, CardContent, Chip, Divider, LinearProgress, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Confirm, Title, useCanAccess } from 'react-admin';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { MailPreview } from '../mailings/MailPreview';
import { AudiencePanel, OutcomePanel, ProgressPanel } from '../mailings/MailingPanels';
import { audienceTarget, count, plural } from '../mailings/mailingModel';
import { useMailingAction } from '../mailings/useMailingAction';
import { campaignStatusLabel, type Campaign } from './campaignModel';

type Pending = { title: string; content: string; confirm: string; run: () => Promise<void> } | null;

/** A campaign's page: audience, preview, test, approve, send or schedule, progress, pause/resume/cancel, figures. */
export function CampaignShow() {
  const { id } = useParams();
  const [refreshMs, setRefreshMs] = useState<number>();
  const { data: campaign, error, reload } = useApi<Campaign>(`/campaigns/${id}`, { refreshMs });
  const [testEmails, setTestEmails] = useState('');
  const [scheduleAt, setScheduleAt] = useState('');
  const [pending, setPending] = useState<Pending>(null);
  const [starting, setStarting] = useState(false);
  const { busy, act: call } = useMailingAction(`/campaigns/${id}`, reload);
  const act = (path: string, body: unknown, message: string) => call<{ id?: string }>(path, { body }, message);
  const navigate = useNavigate();
  const { canAccess: canWrite } = useCanAccess({ resource: 'campaigns', action: 'edit' });

  const live = campaign && (['preparing', 'sending', 'paused'].includes(campaign.status) || (campaign.status === 'approved' && campaign.scheduledAt));
  useEffect(() => setRefreshMs(live || starting ? 1000 : undefined), [live, starting]);
  useEffect(() => {
    if (campaign?.progress) setStarting(false);
  }, [campaign?.progress]);

  if (error) return <Alert severity="error">{error.message}</Alert>;
  if (!campaign) return <LinearProgress aria-label="Chargement" />;
  const audienceCount = campaign.audience?.count ?? 0;
  const target = audienceTarget(campaign.listName, campaign.segmentName);

  const askApprove = () =>
    setPending({
      title: "Approuver l'envoi ?",
      content: `Destinataires : ${target} — ${plural(audienceCount, 'destinataire', 'destinataires')} à cet instant. La liste des destinataires est arrêtée à l'approbation (préparation de l'envoi, quelques secondes) ; le message ne peut plus être modifié sans repasser en brouillon.`,
      confirm: 'Approuver',
      run: async () => void (await act('/approve', {}, 'Envoi approuvé.')),
    });
  const askSend = () =>
    setPending({
      title: `Envoyer à ${plural(audienceCount, 'destinataire', 'destinataires')} ?`,
      content: `Le message « ${campaign.subject} » part maintenant (${target}). Vous pourrez suspendre ou annuler l'envoi en cours ; ce qui est parti reste compté.`,
      confirm: `Envoyer à ${plural(audienceCount, 'destinataire', 'destinataires')}`,
      run: async () => {
        setStarting(true);
        if (!(await act('/send', {}, 'Envoi lancé.'))) setStarting(false);
      },
    });
  const askCancel = () =>
    setPending({
      title: "Annuler l'envoi ?",
      content: "Les messages qui ne sont pas encore partis ne le seront pas. Ceux déjà envoyés restent comptés. L'annulation est définitive.",
      confirm: "Annuler l'envoi",
      run: async () => void (await act('/cancel', {}, 'Envoi annulé.')),
    });
  const askResend = () =>
    setPending({
      title: 'Renvoyer aux destinataires incertains ?',
      content: `${plural(campaign.uncertain?.length ?? 0, 'personne a', 'personnes ont')} peut-être déjà reçu le message (l'envoi a été interrompu pendant l'échange avec le serveur). Un renvoi peut leur faire recevoir le message deux fois.`,
      confirm: 'Renvoyer',
      run: async () => void (await act('/resend-uncertain', {}, 'Renvoi lancé.')),
    });

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={campaign.subject} />
      <CardContent>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h1">
            {campaign.subject}
          </Typography>
          <Chip label={campaignStatusLabel(campaign.status)} color={campaign.status === 'sent' ? 'success' : campaign.status === 'draft' ? 'default' : 'primary'} />
        </Box>
        <Typography color="text.secondary" gutterBottom>
          Envoi ciblé
          {campaign.approvedAt ? ` · approuvé le ${new Date(campaign.approvedAt).toLocaleString('fr-FR')}${campaign.approvedBy ? ` par ${campaign.approvedBy}` : ''}` : ''}
          {campaign.scheduledAt && campaign.status === 'approved' ? ` · envoi programmé le ${new Date(campaign.scheduledAt).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })}` : ''}
          {campaign.publish ? ' · publié dans les archives' : ''}
        </Typography>
        <AudiencePanel listName={campaign.listName} segmentName={campaign.segmentName} audience={campaign.audience} basis={campaign.basis} />
        {campaign.status === 'draft' && campaign.preparationError && <Alert severity="error" sx={{ my: 2 }}>{campaign.preparationError}</Alert>}
        <ProgressPanel progress={campaign.progress} starting={starting || campaign.status === 'preparing'} />

        {canWrite && (
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', my: 2 }}>
            {['draft', 'preparing', 'approved'].includes(campaign.status) && (
              <>
                <TextField size="small" label="Envoyer un test à (adresses séparées par des virgules)" value={testEmails} onChange={(e) => setTestEmails(e.target.value)} sx={{ minWidth: 360 }} />
                <Button variant="outlined" disabled={busy || !testEmails.trim()} onClick={() => act('/test', { emails: testEmails.split(/[,;\s]+/).filter(Boolean) }, 'Test envoyé.')}>
                  Envoyer le test
                </Button>
              </>
            )}
            {campaign.status === 'draft' && (
              <>
                <Button component={Link} to={`/campaigns/${campaign.id}`} variant="outlined">
                  Modifier
                </Button>
                <Button variant="contained" disabled={busy || !audienceCount} onClick={askApprove}>
                  Approuver
                </Button>
              </>
            )}
            {campaign.status === 'preparing' && (
              <Button variant="outlined" disabled={busy} onClick={() => act('/reopen', {}, 'Envoi repassé en brouillon.')}>
                Repasser en brouillon
              </Button>
            )}
            {campaign.status === 'approved' && (
              <>
                <Button variant="outlined" disabled={busy} onClick={() => act('/reopen', {}, 'Envoi repassé en brouillon.')}>
                  Repasser en brouillon
                </Button>
                <TextField
                  size="small"
                  type="datetime-local"
                  label="Programmer l'envoi le (heure de Paris)"
                  value={scheduleAt}
                  onChange={(e) => setScheduleAt(e.target.value)}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <Button variant="outlined" disabled={busy || !scheduleAt} onClick={() => act('/send', { at: scheduleAt }, 'Envoi programmé.')}>
                  Programmer
                </Button>
                <Button variant="contained" color="secondary" disabled={busy} onClick={askSend}>
                  Envoyer maintenant
                </Button>
              </>
            )}
            {campaign.status === 'sending' && (
              <Button variant="outlined" disabled={busy} onClick={() => act('/pause', {}, 'Envoi suspendu.')}>
                Suspendre
              </Button>
            )}
            {campaign.status === 'paused' && (
              <Button variant="contained" disabled={busy} onClick={() => act('/resume', {}, 'Envoi repris.')}>
                Reprendre
              </Button>
            )}
            {(['sending', 'paused'].includes(campaign.status) || (campaign.status === 'approved' && campaign.scheduledAt)) && (
              <Button variant="outlined" color="error" disabled={busy} onClick={askCancel}>
                Annuler l'envoi
              </Button>
            )}
            {campaign.status !== 'draft' && (
              <Button
                variant="outlined"
                disabled={busy}
                onClick={async () => {
                  const copy = await act('/duplicate', {}, 'Copie créée en brouillon.');
                  if (copy?.id) navigate(`/campaigns/${copy.id}`);
                }}
              >
                Dupliquer
              </Button>
            )}
          </Box>
        )}
        {campaign.testSends.length > 0 && (
          <Typography variant="body2" color="text.secondary">
            Dernier test : {new Date(campaign.testSends[campaign.testSends.length - 1].at).toLocaleString('fr-FR')} à {campaign.testSends[campaign.testSends.length - 1].emails.join(', ')}
          </Typography>
        )}
        {campaign.uncertain && campaign.uncertain.length > 0 && (
          <Alert severity="warning" sx={{ my: 2 }}>
            <Typography>
              Envoi interrompu : {plural(campaign.uncertain.length, 'destinataire a', 'destinataires ont')} peut-être reçu le message. Par défaut, rien ne leur est renvoyé.
            </Typography>
            <Typography variant="body2">{campaign.uncertain.map((u) => [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email).join(', ')}</Typography>
            {canWrite && (
              <Button variant="outlined" size="small" sx={{ mt: 1 }} disabled={busy} onClick={askResend}>
                Renvoyer à ces {count(campaign.uncertain.length)} destinataires
              </Button>
            )}
          </Alert>
        )}
        <OutcomePanel outcome={campaign.figures} clicks={campaign.clicks} />
        <Confirm
          isOpen={Boolean(pending)}
          title={pending?.title ?? ''}
          content={pending?.content ?? ''}
          confirm={pending?.confirm ?? 'Confirmer'}
          cancel="Retour"
          onConfirm={() => {
            const run = pending?.run;
            setPending(null);
            void run?.();
          }}
          onClose={() => setPending(null)}
        />
        <Divider sx={{ my: 2 }} />
        <MailPreview path={`/campaigns/${campaign.id}`} version={campaign.updatedAt} what="du message" />
      </CardContent>
    </Card>
  );
}
