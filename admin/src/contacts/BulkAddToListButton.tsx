import PlaylistAddIcon from '@mui/icons-material/PlaylistAdd';
import {
  Box,
  Button as MuiButton,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
} from '@mui/material';
import { useState } from 'react';
import { Button, useDataProvider, useGetList, useListContext, useNotify, useUnselectAll } from 'react-admin';
import { formatNumber, today } from '../common/format';

type MailingList = { id: string; name: string; doubleOptIn?: boolean };
type Consent = { mode: 'request' } | { mode: 'existing'; evidence: string; at: string };

export const contactsCount = (n: number) => `${formatNumber(n)} ${n >= 2 ? 'contacts' : 'contact'}`;

/**
 * Adds every selected contact to a list. A double opt-in list asks how consent is obtained:
 * the confirmation request e-mailed to each contact, or a consent already given, with its source.
 */
export function BulkAddToListButton() {
  const { selectedIds } = useListContext();
  const [open, setOpen] = useState(false);
  const [listId, setListId] = useState('');
  const [mode, setMode] = useState<'request' | 'existing'>('request');
  const [evidence, setEvidence] = useState('');
  const [at, setAt] = useState(today());
  const [busy, setBusy] = useState(false);
  const [treated, setTreated] = useState(0);
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const unselectAll = useUnselectAll('contacts');
  const { data: lists } = useGetList<MailingList>('lists', { pagination: { page: 1, perPage: 100 }, sort: { field: 'order', order: 'ASC' }, filter: { active: true } }, { enabled: open });
  const list = lists?.find((l) => l.id === listId);
  const count = contactsCount(selectedIds.length);
  const consent: Consent | undefined = list?.doubleOptIn ? (mode === 'request' ? { mode } : { mode, evidence: evidence.trim(), at }) : undefined;
  const ready = !!list && !(consent?.mode === 'existing' && !consent.evidence);

  async function add() {
    setBusy(true);
    setTreated(0);
    let done = 0;
    const failures: string[] = [];
    for (const contact of selectedIds) {
      try {
        await dataProvider.create('subscriptions', { data: { contact, list: listId, source: 'staff', ...(consent ? { consent } : {}) } });
        done++;
      } catch (e) {
        failures.push((e as Error).message);
      }
      setTreated(done + failures.length);
    }
    setBusy(false);
    setOpen(false);
    unselectAll();
    const what = consent?.mode === 'request' ? `Demande de confirmation envoyée à ${contactsCount(done)}` : `${contactsCount(done)} ${done >= 2 ? 'ajoutés' : 'ajouté'} à la liste`;
    notify(`${what} « ${list!.name} »${failures.length ? ` ; ${formatNumber(failures.length)} en échec : ${failures[0]}` : '.'}`, { type: failures.length ? 'warning' : 'success' });
  }

  return (
    <>
      <Button label={`Ajouter ${count} à une liste…`} onClick={() => setOpen(true)}>
        <PlaylistAddIcon />
      </Button>
      {/* Closed by its buttons or Escape only: a stray click beside it (e.g. on an option of the
          list menu as it closes) must not lose the choices, nor stop an addition under way. */}
      <Dialog open={open} onClose={(_event, reason) => reason !== 'backdropClick' && !busy && setOpen(false)} aria-labelledby="bulk-list-title" fullWidth maxWidth="sm">
        <DialogTitle id="bulk-list-title">Ajouter {count} à une liste</DialogTitle>
        <DialogContent>
          <TextField select label="Liste" value={listId} onChange={(e) => setListId(e.target.value)} sx={{ mt: 1, minWidth: 300 }}>
            {(lists ?? []).map((l) => (
              <MenuItem key={l.id} value={l.id}>
                {l.name}
                {l.doubleOptIn ? ' (double confirmation)' : ''}
              </MenuItem>
            ))}
          </TextField>
          {list?.doubleOptIn && (
            <>
              <DialogContentText sx={{ mt: 2 }}>
                « {list.name} » demande une double confirmation : personne n'y est abonné sans consentement prouvé. Choisissez comment il est obtenu.
              </DialogContentText>
              <RadioGroup value={mode} onChange={(e) => setMode(e.target.value as 'request' | 'existing')} aria-label="Consentement">
                <FormControlLabel
                  value="request"
                  control={<Radio />}
                  label="Envoyer la demande de confirmation : chaque contact reçoit un e-mail et n'est abonné qu'après avoir cliqué sur le lien."
                />
                <FormControlLabel
                  value="existing"
                  control={<Radio />}
                  label="Enregistrer un consentement déjà recueilli (bulletin papier, inscription à une rencontre…) : les contacts sont abonnés tout de suite, avec cette preuve."
                />
              </RadioGroup>
              {mode === 'existing' && (
                <>
                  <TextField label="Source du consentement" value={evidence} onChange={(e) => setEvidence(e.target.value)} required fullWidth sx={{ mt: 1 }} helperText="Par exemple : bulletin papier signé à la rencontre de Lyon" />
                  <TextField label="Recueilli le" type="date" value={at} onChange={(e) => setAt(e.target.value)} sx={{ mt: 2 }} slotProps={{ inputLabel: { shrink: true } }} />
                </>
              )}
            </>
          )}
          {busy && (
            <Box sx={{ mt: 2 }} role="status">
              <LinearProgress variant="determinate" value={(100 * treated) / Math.max(1, selectedIds.length)} aria-label="Progression de l’ajout" />
              {formatNumber(treated)} sur {count}
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" disabled={!ready || busy} onClick={add}>
            {consent?.mode === 'request' ? `Envoyer la demande à ${count}` : `Ajouter ${count}`}
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
