import PlaylistAddIcon from '@mui/icons-material/PlaylistAdd';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';
import { Button, useDataProvider, useGetList, useListContext, useNotify, useUnselectAll } from 'react-admin';

/** Subscribes every selected contact to a staff-managed list (already subscribed ones are left as they are). */
export function BulkAddToListButton() {
  const { selectedIds } = useListContext();
  const [open, setOpen] = useState(false);
  const [list, setList] = useState('');
  const [busy, setBusy] = useState(false);
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const unselectAll = useUnselectAll('contacts');
  const { data: lists } = useGetList('lists', { pagination: { page: 1, perPage: 100 }, sort: { field: 'order', order: 'ASC' }, filter: { active: true } }, { enabled: open });

  async function add() {
    setBusy(true);
    let added = 0;
    const failures: string[] = [];
    for (const contact of selectedIds) {
      try {
        await dataProvider.create('subscriptions', { data: { contact, list, status: 'subscribed', source: 'staff' } });
        added++;
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    setBusy(false);
    setOpen(false);
    unselectAll();
    notify(`${added} contact(s) ajouté(s) à la liste${failures.length ? ` ; ${failures.length} non ajouté(s) : ${failures[0]}` : '.'}`, {
      type: failures.length ? 'warning' : 'success',
    });
  }

  return (
    <>
      <Button label="Ajouter à une liste" onClick={() => setOpen(true)}>
        <PlaylistAddIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="bulk-list-title">
        <DialogTitle id="bulk-list-title">Ajouter {selectedIds.length} contact(s) à une liste</DialogTitle>
        <DialogContent>
          <DialogContentText>Pour les listes en double confirmation, préférez l'import avec preuve de consentement.</DialogContentText>
          <TextField select label="Liste" value={list} onChange={(e) => setList(e.target.value)} sx={{ mt: 2, minWidth: 300 }}>
            {(lists ?? []).map((l) => (
              <MenuItem key={l.id} value={l.id}>
                {l.name}
              </MenuItem>
            ))}
          </TextField>
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" disabled={!list || busy} onClick={add}>
            Ajouter
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
