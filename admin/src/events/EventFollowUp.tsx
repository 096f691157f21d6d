import { Alert, Box, Button, Stack, Typography } from '@mui/material';
import { useState, type ChangeEvent } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { Link, useNavigate } from 'react-router-dom';
import { download } from '../common/download';
import { callApi } from '../dataProvider';

type AttendanceResult = { present: number; absent: number; lines: number; unmatched: Array<{ line: number; email: string; name: string }> };

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Émargement, attendance import, evaluation, segments, attendance list: what follows an event. */
export function EventFollowUp() {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const navigate = useNavigate();
  const [imported, setImported] = useState<AttendanceResult>();
  if (!record) return null;
  const run = async (action: () => Promise<string>) => {
    try {
      notify(await action(), { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  const importFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    await run(async () => {
      const result = await callApi<AttendanceResult>(`/events/${record.id}/attendance`, { body: { file: await base64Of(file) } });
      setImported(result);
      return `Présences importées : ${result.present} présent·es, ${result.absent} absent·es.`;
    });
  };
  /** The segment (a live rule over the event's registrations), then its page, where "Créer un envoi ciblé" is. */
  const segment = async (attended: boolean) => {
    try {
      const created = await callApi<{ id: string; name: string; count: number }>(`/events/${record.id}/segment`, { body: { attended } });
      notify(`Segment « ${created.name} » créé (${created.count} contacts).`, { type: 'success' });
      navigate(`/segments/${created.id}`);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  /** A targeted mailing (campaigns) to the registrants: their segment, then the campaign form with it chosen. */
  const mailing = async () => {
    try {
      const created = await callApi<{ id: string }>(`/events/${record.id}/segment`, { body: { attended: false } });
      navigate('/campaigns/create', { state: { record: { segment: created.id } } });
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  return (
    <Stack spacing={2} sx={{ py: 1 }}>
      <Box>
        <Typography variant="h6" component="h2">Le jour J</Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap" }}>
          <Button variant="contained" component={Link} to={`/rencontres/${record.id}/emargement`}>Ouvrir l'émargement (téléphone)</Button>
          <Button variant="outlined" onClick={() => download(`/events/${record.id}/attendance.pdf`)}>Liste d'émargement (PDF)</Button>
          <Button variant="outlined" onClick={() => download(`/events/${record.id}/attendance.csv`)}>Liste d'émargement (CSV)</Button>
          <Button variant="outlined" onClick={() => download(`/events/${record.id}/badges.pdf`)}>Badges (PDF)</Button>
          <Button variant="outlined" onClick={() => download(`/events/${record.id}/registrations.csv`)}>Inscriptions et réponses (CSV)</Button>
          <Button variant="outlined" component="label">
            Importer les présences de la visio (CSV)
            <input hidden type="file" accept=".csv,text/csv" onChange={importFile} aria-label="Fichier des présences de la visio (CSV)" />
          </Button>
        </Stack>
        {imported && imported.unmatched.length > 0 && (
          <Alert severity="info" sx={{ mt: 1 }}>
            {imported.unmatched.length} ligne(s) ne correspondent à aucune inscription : {imported.unmatched.map((u) => `ligne ${u.line} (${u.name || u.email})`).join(', ')}.
          </Alert>
        )}
      </Box>
      <Box>
        <Typography variant="h6" component="h2">Après la rencontre</Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap" }}>
          <Button
            variant="contained"
            onClick={() => run(async () => {
              const { sent } = await callApi<{ sent: number }>(`/events/${record.id}/evaluation`, { body: {} });
              return `Questionnaire d'évaluation envoyé à ${sent} personne(s).`;
            })}
          >
            Envoyer le questionnaire d'évaluation
          </Button>
          <Button variant="outlined" onClick={() => segment(false)}>Créer un segment des inscrit·es</Button>
          <Button variant="outlined" onClick={() => segment(true)}>Créer un segment des participant·es</Button>
          <Button variant="outlined" onClick={mailing}>Préparer un envoi ciblé aux inscrit·es</Button>
          <Button variant="text" component={Link} to="/segments">Voir les segments</Button>
        </Stack>
      </Box>
    </Stack>
  );
}
