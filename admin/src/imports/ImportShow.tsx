import DownloadIcon from '@mui/icons-material/Download';
import UndoIcon from '@mui/icons-material/Undo';
import { Alert, Box, Button, Card, CardContent, LinearProgress, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Confirm, CreateButton, Title, useCanAccess, useNotify } from 'react-admin';
import { useParams } from 'react-router-dom';
import { download } from '../common/download';
import { useApi } from '../common/useApi';
import { callApi } from '../dataProvider';
import { DELIMITER_CHOICES, FIELD_CHOICES, STATUS_LABELS, type ImportDetails, type Preset } from './importModel';
import { CountChips, IssueList, PreviewTable } from './ImportReport';
import { ImportSettings, settingsOf, type Settings } from './ImportSettings';
import { ImportSteps } from './ImportSteps';
import { ImportValues } from './ImportValues';

const WORKING = ['queued', 'running', 'undoing'];

function Progress({ doc }: { doc: ImportDetails }) {
  const { done, total } = doc.progress ?? { done: 0, total: 0 };
  const percent = total ? Math.round((done / total) * 100) : 0;
  return (
    <Box sx={{ my: 3 }}>
      <Typography id="import-progress-label" gutterBottom>
        {STATUS_LABELS[doc.status]} : {done} / {total} ligne(s) ({percent} %)
      </Typography>
      <LinearProgress variant="determinate" value={percent} aria-labelledby="import-progress-label" sx={{ height: 10, borderRadius: 5 }} />
    </Box>
  );
}

/** What an import was run with, for one that can no longer change. */
function SettingsSummary({ doc }: { doc: ImportDetails }) {
  const mapped = doc.mapping.filter((m) => m.field !== 'ignore');
  return (
    <Box sx={{ my: 2 }} aria-label="Réglages de l’import" role="region">
      <Typography variant="h6" component="h2">
        Réglages
      </Typography>
      <Typography>
        Encodage {doc.encoding}, séparateur {DELIMITER_CHOICES.find((d) => d.id === doc.delimiter)?.name ?? doc.delimiter},{' '}
        {doc.policy === 'overwrite' ? 'valeurs existantes remplacées' : 'fiches existantes complétées sans rien écraser'}.
      </Typography>
      <Typography>
        Colonnes : {mapped.map((m) => `${m.header} → ${FIELD_CHOICES.find((c) => c.id === m.field)?.name ?? m.field}`).join(' · ')}
      </Typography>
    </Box>
  );
}

/** Steps 2 to 5 of the wizard, driven by the import's state, so the page can be left and reopened. */
export function ImportShow() {
  const { id } = useParams();
  const [refreshMs, setRefreshMs] = useState<number | undefined>();
  const { data: doc, error, reload } = useApi<ImportDetails>(`/imports/${id}`, { refreshMs });
  const { data: presets, reload: reloadPresets } = useApi<Preset[]>('/imports/presets');
  const [settings, setSettings] = useState<Settings>();
  const [busy, setBusy] = useState(false);
  const [confirmUndo, setConfirmUndo] = useState(false);
  const [presetName, setPresetName] = useState('');
  const notify = useNotify();
  const { canAccess: canWrite } = useCanAccess({ resource: 'imports', action: 'edit' });

  useEffect(() => setRefreshMs(doc && WORKING.includes(doc.status) ? 500 : undefined), [doc]);
  useEffect(() => {
    if (doc?.status === 'ready') setSettings(settingsOf(doc));
  }, [doc?.id, doc?.status, doc?.preview?.at]); // eslint-disable-line react-hooks/exhaustive-deps

  async function act(path: string, body: unknown, message?: string) {
    setBusy(true);
    try {
      await callApi(`/imports/${id}${path}`, { method: 'POST', body });
      if (message) notify(message, { type: 'info' });
      reload();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  }

  /** The mapping of the last preview becomes a preset, offered for the next files of the same shape. */
  async function savePreset() {
    try {
      await callApi('/imports/presets', { body: { name: presetName.trim(), fromImport: id } });
      notify(`Modèle « ${presetName.trim()} » enregistré.`, { type: 'success' });
      setPresetName('');
      reloadPresets();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  }

  if (error) return <Alert severity="error">{error.message}</Alert>;
  // settings exist only while the import can change (ready): a done or failed import opens without them
  if (!doc || (doc.status === 'ready' && !settings)) return <LinearProgress aria-label="Chargement" />;
  const ready = doc.status === 'ready';
  const step = ready ? (doc.preview?.at ? 2 : 1) : WORKING.includes(doc.status) ? 3 : 4;
  const errorCount = (doc.issueCounts.error ?? 0) + (doc.issueCounts.skipped ?? 0);

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={`Import « ${doc.fileName} »`} />
      <CardContent>
        <ImportSteps active={step} />
        <Typography variant="h5" component="h1" gutterBottom>
          Import « {doc.fileName} » — {STATUS_LABELS[doc.status]}
        </Typography>
        {ready && canWrite && settings && (
          <>
            <ImportSettings
              doc={doc}
              settings={settings}
              onChange={setSettings}
              presets={presets ?? []}
              onPreset={(preset) => act('/preview', { preset }, 'Modèle appliqué.')}
            />
            <Box sx={{ my: 2, display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
              <Button variant="outlined" disabled={busy} onClick={() => act('/preview', { ...settings, subscribeList: settings.subscribeList ?? null }, 'Aperçu mis à jour.')}>
                Mettre à jour l'aperçu
              </Button>
              <TextField size="small" fullWidth={false} label="Nom du modèle" value={presetName} onChange={(e) => setPresetName(e.target.value)} />
              <Button disabled={busy || !presetName.trim()} onClick={() => savePreset()}>
                Enregistrer la correspondance comme modèle
              </Button>
            </Box>
            <Typography variant="h6" component="h2">
              Aperçu (rien n'est encore enregistré)
            </Typography>
          </>
        )}
        {!ready && <SettingsSummary doc={doc} />}
        {doc.problem && <Alert severity="error">{doc.problem}</Alert>}
        <ImportValues doc={doc} editable={ready && Boolean(canWrite)} disabled={busy} onDecide={(decisions) => act('/preview', decisions, 'Décision appliquée, aperçu mis à jour.')} />
        {WORKING.includes(doc.status) && <Progress doc={doc} />}
        {doc.failure && <Alert severity="error">{doc.failure}</Alert>}
        <CountChips counts={ready ? doc.preview.counts : doc.counts} />
        {ready && doc.preview.subscriptions?.length ? (
          <Typography sx={{ mb: 2 }}>
            Abonnements créés (lignes avec preuve de consentement) : {doc.preview.subscriptions.map((s) => `${s.name} : ${s.count}`).join(' · ')}
          </Typography>
        ) : null}
        {doc.status === 'undone' && doc.undoReport && (
          <Alert severity="info" sx={{ mb: 2 }}>
            Import annulé : {doc.undoReport.deleted} contact(s) supprimé(s), {doc.undoReport.restored} fiche(s) restaurée(s)
            {doc.undoReport.entries ? `, ${doc.undoReport.entries} organisation(s), thématique(s) ou valeur(s) créée(s) retirée(s)` : ''}
            {doc.undoReport.kept?.length ? `, ${doc.undoReport.kept.length} fiche(s) modifiée(s) depuis conservée(s)` : ''}.
          </Alert>
        )}
        <IssueList issues={doc.issues} total={errorCount} />
        <IssueList issues={doc.issues} total={doc.issueCounts.warning ?? 0} kinds={['warning']} title="Lignes importées avec des valeurs gardées en texte" />
        {ready && <PreviewTable lines={doc.preview.lines} />}
        <Box sx={{ display: 'flex', gap: 2, mt: 3, flexWrap: 'wrap' }}>
          {errorCount > 0 && (
            <Button startIcon={<DownloadIcon />} onClick={() => download(`/imports/${id}/errors.csv`)}>
              Télécharger les lignes en erreur (CSV)
            </Button>
          )}
          {ready && canWrite && (
            <Button variant="contained" disabled={busy || !!doc.problem} onClick={() => act('/commit', {}, 'Import lancé.')}>
              Importer {doc.preview.counts.rows - doc.preview.counts.errors - doc.preview.counts.skipped} ligne(s)
            </Button>
          )}
          {doc.status === 'failed' && doc.committedAt && canWrite && (
            <Button variant="contained" disabled={busy} onClick={() => act('/commit', {}, 'Import relancé.')}>
              Relancer l'import
            </Button>
          )}
          {doc.status === 'failed' && !doc.committedAt && canWrite && <CreateButton resource="imports" label="Importer le fichier corrigé" />}
          {(doc.status === 'done' || (doc.status === 'failed' && doc.committedAt)) && canWrite && (
            <Button color="warning" variant="outlined" startIcon={<UndoIcon />} disabled={busy} onClick={() => setConfirmUndo(true)}>
              Annuler l'import
            </Button>
          )}
        </Box>
        <Confirm
          isOpen={confirmUndo}
          title="Annuler cet import ?"
          content="Les contacts créés par l'import sont supprimés et les fiches mises à jour retrouvent leurs valeurs d'avant (sauf celles modifiées depuis)."
          confirm="Annuler l'import"
          cancel="Garder l'import"
          onConfirm={() => {
            setConfirmUndo(false);
            act('/undo', {}, 'Annulation lancée.');
          }}
          onClose={() => setConfirmUndo(false)}
        />
      </CardContent>
    </Card>
  );
}
