import RssFeedIcon from '@mui/icons-material/RssFeed';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { Button, useCanAccess, useNotify, useRefresh } from 'react-admin';
import { callApi } from '../dataProvider';

type ImportResult = { created?: number; updated?: number; skipped?: number; warnings?: Array<{ item: number; message: string }>; [key: string]: unknown };

/** Imports the site's RSS/Atom feed (by URL or file); items already known are not duplicated. */
export function NewsImportButton() {
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: 'news', action: 'create' });
  if (!canAccess) return null;
  async function run() {
    setBusy(true);
    try {
      let body: unknown = { url };
      if (file) {
        const form = new FormData();
        form.append('file', file);
        body = form;
      }
      const result = await callApi<ImportResult>('/news/import', { method: 'POST', body });
      const warnings = result.warnings ?? [];
      const ignored = warnings.length ? ` ${warnings.length} lien(s) ou image(s) non web ignoré(s) : ${warnings.map((w) => `élément ${w.item}`).join(', ')}.` : '';
      notify(`Flux importé : ${result.created ?? 0} nouvelle(s) actualité(s), ${result.updated ?? 0} mise(s) à jour.${ignored}`, { type: warnings.length ? 'warning' : 'success' });
      setOpen(false);
      refresh();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button label="Importer un flux RSS" onClick={() => setOpen(true)}>
        <RssFeedIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="rss-title" fullWidth maxWidth="sm">
        <DialogTitle id="rss-title">Importer un flux RSS ou Atom</DialogTitle>
        <DialogContent>
          <DialogContentText>Adresse du flux du site, ou fichier du flux enregistré.</DialogContentText>
          <TextField label="Adresse du flux" type="url" fullWidth value={url} onChange={(e) => setUrl(e.target.value)} sx={{ my: 2 }} />
          <MuiButton component="label" variant="outlined">
            {file ? file.name : 'Choisir un fichier'}
            <input type="file" hidden accept=".xml,.rss,.atom,application/xml" aria-label="Fichier du flux" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </MuiButton>
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" disabled={busy || (!url && !file)} onClick={run}>
            Importer
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
