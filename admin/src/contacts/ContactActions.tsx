import DeleteForeverIcon from '@mui/icons-material/DeleteForever';
import MergeIcon from '@mui/icons-material/MergeType';
import PrivacyTipIcon from '@mui/icons-material/PrivacyTip';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useState } from 'react';
import {
  AutocompleteInput,
  Button,
  Confirm,
  EditButton,
  Form,
  ReferenceInput,
  required,
  TopToolbar,
  useCanAccess,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { saveJson } from '../common/download';
import { callApi } from '../dataProvider';
import { contactName, type Contact } from './contactModel';

/** Merges another contact into this one: its lists, memberships, solicitations and history follow. */
function MergeButton() {
  const record = useRecordContext<Contact>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return null;
  async function submit(values: Record<string, unknown>) {
    try {
      await callApi(`/contacts/${record!.id}/merge`, { body: { source: values.source } });
      notify('Contacts fusionnés.', { type: 'success' });
      setOpen(false);
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  }
  return (
    <>
      <Button label="Fusionner" onClick={() => setOpen(true)}>
        <MergeIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="merge-title" fullWidth maxWidth="sm">
        <Form onSubmit={submit}>
          <DialogTitle id="merge-title">Fusionner un doublon dans {contactName(record)}</DialogTitle>
          <DialogContent>
            <DialogContentText>
              Le contact choisi sera supprimé ; ses adresses, abonnements, adhésions, sollicitations et son historique sont rattachés à cette fiche.
            </DialogContentText>
            <ReferenceInput source="source" reference="contacts" filter={{}}>
              <AutocompleteInput
                label="Doublon à fusionner"
                optionText={(c: Contact) => `${contactName(c)} <${c.email}>`}
                filterToQuery={(q: string) => ({ q })}
                validate={required()}
              />
            </ReferenceInput>
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
            <MuiButton type="submit" variant="contained">
              Fusionner
            </MuiButton>
          </DialogActions>
        </Form>
      </Dialog>
    </>
  );
}

/** RGPD right of access: everything held on the person, as a JSON file. */
function RgpdExportButton() {
  const record = useRecordContext<Contact>();
  const notify = useNotify();
  if (!record) return null;
  async function exportData() {
    try {
      saveJson(`contact-${record!.id}-rgpd.json`, await callApi(`/contacts/${record!.id}/rgpd-export`));
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  }
  return (
    <Button label="Export RGPD" onClick={exportData}>
      <PrivacyTipIcon />
    </Button>
  );
}

/** RGPD erasure (administrators): irreversible, so confirmed first. */
function EraseButton() {
  const record = useRecordContext<Contact>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.erasedAt) return null;
  async function erase() {
    try {
      await callApi(`/contacts/${record!.id}/erase`, { method: 'POST' });
      notify('Données personnelles effacées.', { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setOpen(false);
    }
  }
  return (
    <>
      <Button label="Effacer (RGPD)" color="error" onClick={() => setOpen(true)}>
        <DeleteForeverIcon />
      </Button>
      <Confirm
        isOpen={open}
        title={`Effacer les données de ${contactName(record)} ?`}
        content="Nom, adresses, téléphones, notes et organisations seront effacés définitivement ; l'adresse rejoint la liste d'opposition. Cette action est irréversible."
        confirm="Effacer définitivement"
        onConfirm={erase}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function ContactShowActions() {
  const { canAccess: canEdit } = useCanAccess({ resource: 'contacts', action: 'edit' });
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      {canEdit && <MergeButton />}
      {canEdit && <RgpdExportButton />}
      {permissions === 'admin' && <EraseButton />}
      <EditButton />
    </TopToolbar>
  );
}
