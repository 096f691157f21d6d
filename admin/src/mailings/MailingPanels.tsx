import { Alert, Box, LinearProgress, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { BASIS_LABELS, count, EXCLUSION_LABELS, plural, type Audience, type ExclusionReason, type LinkClicks, type Outcome, type Progress } from './mailingModel';

/** Who the message goes to: list, segment, basis, the count, who is left out and why, a few names. */
export function AudiencePanel({ listName, segmentName, audience, basis }: { listName: string; segmentName: string | null; audience?: Audience | null; basis?: Audience['basis'] }) {
  const legalBasis = audience?.basis ?? basis;
  const excluded = audience ? (Object.entries(audience.excluded) as [ExclusionReason, number][]).filter(([, n]) => n > 0) : [];
  return (
    <Box component="section" aria-labelledby="audience-title" sx={{ my: 2 }}>
      <Typography variant="h6" component="h2" id="audience-title">
        Destinataires
      </Typography>
      <Typography>
        Liste : <strong>{listName}</strong>
        {segmentName ? (
          <>
            {' '}
            · segment : <strong>{segmentName}</strong>
          </>
        ) : (
          ' · sans segment'
        )}
        {legalBasis ? ` · base légale : ${BASIS_LABELS[legalBasis]}` : ''}
      </Typography>
      {audience && (
        <>
          <Typography sx={{ fontSize: 20, my: 1 }} data-testid="audience-count">
            {plural(audience.count, 'destinataire', 'destinataires')}
            {audience.frozenAt ? ` (arrêté le ${new Date(audience.frozenAt).toLocaleString('fr-FR')})` : ''}
          </Typography>
          {excluded.length > 0 && (
            <Typography variant="body2">
              Exclu·es : {excluded.map(([reason, n]) => `${count(n)} ${EXCLUSION_LABELS[reason]}`).join(', ')}.
            </Typography>
          )}
          {audience.sample.length > 0 && (
            <Typography variant="body2" color="text.secondary">
              Par exemple : {audience.sample.join(', ')}
              {audience.count > audience.sample.length ? '…' : '.'}
            </Typography>
          )}
        </>
      )}
    </Box>
  );
}

const minutes = (seconds: number) => (seconds < 90 ? 'moins de 2 minutes' : `environ ${Math.round(seconds / 60)} minutes`);

/** Sending progress that tells the truth: "préparation" until the audience is known, never "0 sur 0" with a full bar. */
export function ProgressPanel({ progress, starting }: { progress?: Progress | null; starting?: boolean }) {
  if (starting || progress?.preparing) {
    return (
      <Box sx={{ my: 2 }}>
        <Typography id="sending-progress-label" gutterBottom>
          Préparation de l'envoi : recherche des destinataires…
        </Typography>
        <LinearProgress aria-labelledby="sending-progress-label" sx={{ height: 10, borderRadius: 5 }} />
      </Box>
    );
  }
  if (!progress) return null;
  const done = progress.total - progress.remaining;
  const percent = progress.total ? Math.round((done / progress.total) * 100) : 0;
  const state = { draft: 'Envoi en attente', sending: 'Envoi en cours', paused: 'Envoi suspendu', sent: 'Envoi terminé', cancelled: 'Envoi annulé' }[progress.status];
  return (
    <Box sx={{ my: 2 }}>
      <Typography id="sending-progress-label" gutterBottom>
        {state} : {count(progress.sent)} envoyé(s), {count(progress.failed)} échec(s), {count(progress.remaining)} restant(s) sur {count(progress.total)}
        {progress.status === 'sending' && progress.perMinute ? ` — ${count(progress.perMinute)} messages par minute, ${minutes(progress.secondsLeft ?? 0)} restantes` : ''}
      </Typography>
      <LinearProgress variant="determinate" value={percent} aria-labelledby="sending-progress-label" sx={{ height: 10, borderRadius: 5 }} />
      {progress.pauseReason && progress.status === 'paused' && <Alert severity="warning" sx={{ mt: 1 }}>{progress.pauseReason}</Alert>}
    </Box>
  );
}

/** What happened, in aggregate only: deliveries, bounces, unsubscriptions, clicks per link. */
export function OutcomePanel({ outcome, clicks }: { outcome?: Outcome | null; clicks?: LinkClicks[] }) {
  if (!outcome) return null;
  const rows: [string, number][] = [
    ['Destinataires', outcome.recipients],
    ['Remis', outcome.delivered],
    ['Rebonds définitifs', outcome.hardBounces],
    ['Rebonds temporaires', outcome.softBounces],
    ['Plaintes (spam)', outcome.complaints],
    ['Désabonnements', outcome.unsubscribed],
    ['Échecs', outcome.failed],
    ['Incertains', outcome.uncertain],
  ];
  return (
    <Box component="section" aria-labelledby="outcome-title" sx={{ my: 2 }}>
      <Typography variant="h6" component="h2" id="outcome-title">
        Résultats
      </Typography>
      <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', my: 1 }}>
        {rows.map(([label, n]) => (
          <Box key={label}>
            <Typography variant="body2" color="text.secondary">
              {label}
            </Typography>
            <Typography sx={{ fontSize: 20 }}>{count(n)}</Typography>
          </Box>
        ))}
      </Box>
      {clicks && clicks.length > 0 && (
        <Table size="small" aria-label="Clics par lien" sx={{ maxWidth: 900 }}>
          <TableHead>
            <TableRow>
              <TableCell>Lien</TableCell>
              <TableCell align="right">Clics</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {clicks.map((link) => (
              <TableRow key={link.code}>
                <TableCell>
                  {link.label || link.url}
                  <Typography variant="body2" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
                    {link.url}
                  </Typography>
                </TableCell>
                <TableCell align="right">{count(link.clicks)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        Les clics sont comptés par lien, sans savoir qui a cliqué ; aucune ouverture n'est mesurée.
      </Typography>
    </Box>
  );
}
