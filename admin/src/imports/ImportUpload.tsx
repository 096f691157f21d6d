import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Alert, Box, Button, Card, CardContent, Typography } from '@mui/material';
import { useState } from 'react';
import { Title, useNotify } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { callApi } from '../dataProvider';
import type { ImportDetails } from './importModel';
import { ImportSteps } from './ImportSteps';

/** Step 1 of the wizard: the file. The API detects its encoding, delimiter and columns. */
export function ImportUpload() {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const notify = useNotify();
  const navigate = useNavigate();

  async function upload() {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const form = new FormData();
      form.append('file', file);
      const created = await callApi<ImportDetails>('/imports', { method: 'POST', body: form });
      notify('Fichier analysé.', { type: 'info' });
      navigate(`/imports/${created.id}/show`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Importer des contacts" />
      <CardContent>
        <ImportSteps active={0} />
        <Typography variant="h5" component="h1" gutterBottom>
          Importer un fichier CSV
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Export Excel, LibreOffice, Mailchimp ou Brevo : l'encodage, le séparateur et les colonnes sont reconnus automatiquement. Rien n'est
          enregistré avant la confirmation.
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Button variant="outlined" component="label" startIcon={<UploadFileIcon />}>
            Choisir un fichier
            <input type="file" hidden accept=".csv,.txt,text/csv" aria-label="Fichier CSV" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Button>
          <Typography>{file ? `${file.name} (${Math.ceil(file.size / 1024)} Ko)` : 'Aucun fichier choisi'}</Typography>
          <Button variant="contained" disabled={!file || busy} onClick={upload}>
            Analyser le fichier
          </Button>
        </Box>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
