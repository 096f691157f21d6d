import CampaignIcon from '@mui/icons-material/Campaign';
import DownloadIcon from '@mui/icons-material/Download';
import SendIcon from '@mui/icons-material/Send';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, MenuItem, TextField as MuiTextField } from '@mui/material';
import { useState } from 'react';
import {
  Button,
  Create,
  DataTable,
  Edit,
  List,
  NumberField,
  SearchInput,
  SimpleForm,
  TopToolbar,
  useCanAccess,
  useGetList,
  useNotify,
  useRecordContext,
  ListButton,
  Show,
  SimpleShowLayout,
  TextField,
  FunctionField,
} from 'react-admin';
import { Link } from '@mui/material';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { formatNumber } from '../common/format';
import { download } from '../common/download';
import { callApi } from '../dataProvider';
import { monthLabel, statusLabel, type Newsletter } from '../newsletters/newsletterModel';
import { cleanFilter, SegmentInputs } from './SegmentInputs';

/** Targets a newsletter issue (draft or approved) at this segment, then opens its review screen. */
function SendToSegmentButton() {
  const record = useRecordContext<{ id: string; name: string }>();
  const [open, setOpen] = useState(false);
  const [issue, setIssue] = useState('');
  const notify = useNotify();
  const navigate = useNavigate();
  const { data: issues } = useGetList<Newsletter>('newsletters', { filter: { status: 'draft' }, pagination: { page: 1, perPage: 24 }, sort: { field: 'month', order: 'DESC' } }, { enabled: open });
  const { canAccess } = useCanAccess({ resource: 'newsletters', action: 'edit' });
  if (!record || !canAccess) return null;
  async function target() {
    try {
      await callApi(`/newsletters/${issue}`, { method: 'PUT', body: { segment: record!.id } });
      notify(`La lettre sera envoyée au segment « ${record!.name} ».`, { type: 'success' });
      navigate(`/newsletters/${issue}/show`);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  }
  return (
    <>
      <Button label="Envoyer une lettre à ce segment" onClick={() => setOpen(true)}>
        <SendIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="segment-send-title">
        <DialogTitle id="segment-send-title">Envoyer une lettre au segment « {record.name} »</DialogTitle>
        <DialogContent>
          <DialogContentText>La lettre choisie partira aux abonné·es de sa liste qui appartiennent au segment.</DialogContentText>
          <MuiTextField select label="Lettre (brouillon)" value={issue} onChange={(e) => setIssue(e.target.value)} sx={{ mt: 2, minWidth: 300 }}>
            {(issues ?? []).map((n) => (
              <MenuItem key={n.id} value={n.id}>
                {monthLabel(n.month)} — {statusLabel(n.status)}
              </MenuItem>
            ))}
          </MuiTextField>
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" disabled={!issue} onClick={target}>
            Choisir
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}

/** A new targeted mailing to this segment (the campaign form opens with the segment chosen). */
function CreateCampaignButton() {
  const record = useRecordContext<{ id: string }>();
  const navigate = useNavigate();
  const { canAccess } = useCanAccess({ resource: 'campaigns', action: 'create' });
  if (!record || !canAccess) return null;
  return (
    <Button label="Créer un envoi ciblé" onClick={() => navigate(`/campaigns/create?source=${encodeURIComponent(JSON.stringify({ segment: record.id }))}`)}>
      <CampaignIcon />
    </Button>
  );
}

function ExportSegmentButton() {
  const record = useRecordContext<{ id: string }>();
  const { canAccess } = useCanAccess({ resource: 'segments', action: 'export' });
  if (!record || !canAccess) return null;
  return (
    <Button label="Exporter (CSV)" onClick={() => download(`/segments/${record.id}/export.csv`)}>
      <DownloadIcon />
    </Button>
  );
}

function SegmentList() {
  const { canAccess: canEdit } = useCanAccess({ resource: 'segments', action: 'edit' });
  return (
    <List filters={[<SearchInput key="q" source="q" alwaysOn />]} sort={{ field: 'name', order: 'ASC' }} exporter={false}>
      <DataTable rowClick={canEdit ? 'edit' : 'show'}>
        <DataTable.Col source="name" />
        <DataTable.Col source="description" disableSort />
        <DataTable.NumberCol source="count" disableSort>
          <NumberField source="count" />
        </DataTable.NumberCol>
      </DataTable>
    </List>
  );
}

const editable = ({ name, description, filter }: Record<string, unknown>) => ({ name, description: description ?? '', filter: cleanFilter(filter as Record<string, unknown>) });

function SegmentCreate() {
  return (
    <Create redirect="edit" transform={editable}>
      <SimpleForm defaultValues={{ filter: {} }}>
        <SegmentInputs />
      </SimpleForm>
    </Create>
  );
}

function SegmentEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      redirect={false}
      transform={editable}
      actions={
        <TopToolbar>
          <ListButton />
          <ExportSegmentButton />
          <CreateCampaignButton />
          <SendToSegmentButton />
        </TopToolbar>
      }
    >
      <SimpleForm>
        <SegmentInputs />
      </SimpleForm>
    </Edit>
  );
}

/** What a read-only board member sees: the segment, its live count and its contacts. */
function SegmentShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <ListButton />
          <ExportSegmentButton />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <TextField source="name" />
        <TextField source="description" />
        <FunctionField source="count" render={(s: { count?: number }) => (s.count === undefined ? '' : `${formatNumber(s.count)} ${s.count >= 2 ? 'contacts' : 'contact'}`)} />
        <FunctionField
          label="Contacts"
          render={(s: { id: string }) => (
            <Link component={RouterLink} to={`/contacts?filter=${encodeURIComponent(JSON.stringify({ segment: s.id }))}`}>
              Voir les contacts du segment
            </Link>
          )}
        />
      </SimpleShowLayout>
    </Show>
  );
}

export default { list: SegmentList, create: SegmentCreate, edit: SegmentEdit, show: SegmentShow };
