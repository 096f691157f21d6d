import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { formatNumber } from '../common/format';
import { useApi } from '../common/useApi';
import type { EventFigures as Figures, Share } from './eventModel';

const pct = (value: number) => `${formatNumber(value, 1)} %`;

function ShareTable({ title, rows }: { title: string; rows: Share[] }) {
  if (!rows.length) return null;
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>{title}</Typography>
      <Table size="small" aria-label={title}>
        <TableHead>
          <TableRow><TableCell>Libellé</TableCell><TableCell align="right">Nombre</TableCell><TableCell align="right">Part</TableCell></TableRow>
        </TableHead>
        <TableBody>
          {rows.map((r) => (
            <TableRow key={r.code}><TableCell>{r.label}</TableCell><TableCell align="right">{r.count}</TableCell><TableCell align="right">{pct(r.share)}</TableCell></TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** The event's figures as the activity report will tell them, then the tables. */
export function EventFigures() {
  const record = useRecordContext();
  const { data } = useApi<Figures>(record ? `/events/${record.id}/figures` : undefined);
  if (!data) return <Typography>Chargement des chiffres…</Typography>;
  const people = data.basis === 'participants' ? 'participant·es' : 'inscrit·es';
  return (
    <Box sx={{ py: 1, maxWidth: 900 }}>
      <Typography variant="h6" component="h2">En une phrase</Typography>
      {data.sentences.map((s) => <Typography key={s} sx={{ mb: 1.5 }}>{s}</Typography>)}
      <Typography sx={{ mb: 1.5 }}>
        Inscrit·es : {data.registrants} (dont {data.waiting} en liste d'attente) · annulations : {data.cancelled} · présent·es : {data.attendanceTaken ? data.attendees : '—'} · absent·es : {data.attendanceTaken ? data.absent : '—'} · nouveaux contacts : {data.newContacts} · collectivités : {pct(data.localAuthorityShare)} · territoire avec QPV : {pct(data.qpvShare)}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>Parts calculées sur les {people}.</Typography>
      <ShareTable title="Par région" rows={data.byRegion} />
      <ShareTable title="Par type de structure" rows={data.byOrganisationType} />
      <ShareTable title="Par fonction" rows={data.byFunction} />
      <ShareTable title="Par dispositif" rows={data.byDispositif} />
      {data.questions.map((q) => (
        <ShareTable key={q.key} title={`Question d'inscription : ${q.label} (${q.answers} réponses)`} rows={q.options.map((o) => ({ code: o.value, label: o.label, count: o.count, share: o.share }))} />
      ))}
      {data.evaluation.questions.length > 0 && (
        <Box>
          <Typography variant="h6" component="h2">Évaluation ({data.evaluation.answers} réponses, anonymes)</Typography>
          <ul>
            {data.evaluation.questions.map((q) => (
              <li key={q.key}>{q.label} : {q.kind === 'yesno' ? `${pct(q.yesShare)} de oui` : `${pct(q.highShare)} de 4 ou 5 sur 5`} ({q.answers} réponses)</li>
            ))}
          </ul>
          {data.evaluation.comments.length > 0 && (
            <>
              <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>Commentaires</Typography>
              <ul>{data.evaluation.comments.map((c, i) => <li key={i}>{c}</li>)}</ul>
            </>
          )}
        </Box>
      )}
    </Box>
  );
}
