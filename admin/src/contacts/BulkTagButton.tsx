import LocalOfferIcon from '@mui/icons-material/LocalOffer';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { Button, Form, RadioButtonGroupInput, useDataProvider, useListContext, useNotify, useRefresh, useUnselectAll } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import type { Contact } from './contactModel';
import { contactsCount } from './BulkAddToListButton';

type Values = { operation: 'add' | 'remove'; field: 'themes' | 'territories'; themes?: string[]; territories?: string[] };

function TagInput() {
  const field = useWatch({ name: 'field' });
  return field === 'territories' ? <TerritoryArrayInput source="territories" /> : <ThemeArrayInput source="themes" fullWidth />;
}

export function applyTags(current: string[], values: string[], operation: 'add' | 'remove'): string[] {
  return operation === 'add' ? [...new Set([...current, ...values])] : current.filter((v) => !values.includes(v));
}

/** Adds or removes themes or territories on every selected contact. */
export function BulkTagButton() {
  const { selectedIds } = useListContext();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const refresh = useRefresh();
  const unselectAll = useUnselectAll('contacts');

  async function submit(values: Record<string, unknown>) {
    const { operation, field } = values as Values;
    const picked = ((values as Values)[field] ?? []) as string[];
    if (!picked.length) return;
    setBusy(true);
    try {
      const { data } = await dataProvider.getMany<Contact>('contacts', { ids: selectedIds });
      for (const contact of data) {
        const next = applyTags(contact[field] ?? [], picked, operation);
        await dataProvider.update('contacts', { id: contact.id, data: { [field]: next }, previousData: contact });
      }
      notify(`${contactsCount(data.length)} mis à jour.`, { type: 'success' });
      setOpen(false);
      unselectAll();
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button label={`Thèmes / territoires de ${contactsCount(selectedIds.length)}…`} onClick={() => setOpen(true)}>
        <LocalOfferIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="bulk-tag-title" fullWidth maxWidth="sm">
        <Form onSubmit={submit} defaultValues={{ operation: 'add', field: 'themes' }}>
          <DialogTitle id="bulk-tag-title">Modifier {contactsCount(selectedIds.length)}</DialogTitle>
          <DialogContent>
            <RadioButtonGroupInput
              source="operation"
              label="Opération"
              choices={[
                { id: 'add', name: 'Ajouter' },
                { id: 'remove', name: 'Retirer' },
              ]}
            />
            <RadioButtonGroupInput
              source="field"
              label="Sur"
              choices={[
                { id: 'themes', name: 'Thèmes' },
                { id: 'territories', name: 'Territoires' },
              ]}
            />
            <TagInput />
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
            <MuiButton type="submit" variant="contained" disabled={busy}>
              Appliquer
            </MuiButton>
          </DialogActions>
        </Form>
      </Dialog>
    </>
  );
}
