import SaveIcon from '@mui/icons-material/BookmarkAdd';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { Button, useCanAccess, useListContext, useNotify } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { callApi } from '../dataProvider';
import { cleanFilter } from '../segments/SegmentInputs';

/** "Enregistrer comme segment": the contact list's current filters become a saved segment. */
export function SaveAsSegmentButton() {
  const { filterValues, total } = useListContext();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const notify = useNotify();
  const navigate = useNavigate();
  const { canAccess } = useCanAccess({ resource: 'segments', action: 'create' });
  const { id: _picked, ...rules } = filterValues ?? {}; // a segment is a rule, not a pick list
  const filter = cleanFilter(rules);
  if (!canAccess) return null;
  async function save() {
    try {
      const segment = await callApi<{ id: string }>('/segments', { method: 'POST', body: { name, filter } });
      notify(`Segment « ${name} » enregistré.`, { type: 'success' });
      navigate(`/segments/${segment.id}`);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  }
  return (
    <>
      {/* The label as aria-label too: on a phone react-admin shows a disabled button as a bare icon. */}
      <Button label="Enregistrer comme segment" aria-label="Enregistrer comme segment" disabled={!Object.keys(filter).length} onClick={() => setOpen(true)}>
        <SaveIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="save-segment-title">
        <DialogTitle id="save-segment-title">Enregistrer ces filtres comme segment</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Le segment garde les filtres, pas la liste des personnes : il compte aujourd'hui {(total ?? 0).toLocaleString('fr-FR')} contact(s) et se met à jour tout seul.
          </DialogContentText>
          <TextField autoFocus label="Nom du segment" value={name} onChange={(e) => setName(e.target.value)} fullWidth sx={{ mt: 2 }} />
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" disabled={!name.trim()} onClick={save}>
            Enregistrer
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
