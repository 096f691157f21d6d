import QuestionAnswerIcon from '@mui/icons-material/QuestionAnswer';
import { MenuItem, TextField as MuiTextField } from '@mui/material';
import {
  AutocompleteInput,
  BooleanField,
  Create,
  DataTable,
  DateField,
  DateInput,
  Edit,
  List,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  SearchInput,
  SelectArrayInput,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  useCanAccess,
  useNotify,
  useRecordContext,
  useRefresh,
  useUpdate,
} from 'react-admin';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryInput } from '../common/territories';
import { VocabularyField, VocabularySelectInput } from '../common/vocabulary';
import { contactName, type Contact } from '../contacts/contactModel';
import { SOLICITATION_STATUS_CHOICES } from './solicitationModel';


/** Changes the status from the list, without opening the record. */
function QuickStatus() {
  const record = useRecordContext<{ id: string; status: string }>();
  const [update, { isPending }] = useUpdate();
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: 'solicitations', action: 'edit' });
  if (!record) return null;
  if (!canAccess) return <span>{SOLICITATION_STATUS_CHOICES.find((c) => c.id === record.status)?.name}</span>;
  return (
    <MuiTextField
      select
      size="small"
      fullWidth={false}
      value={record.status}
      disabled={isPending}
      onClick={(e) => e.stopPropagation()}
      slotProps={{ htmlInput: { 'aria-label': 'État de la sollicitation' } }}
      onChange={(e) =>
        update(
          'solicitations',
          { id: record.id, data: { status: e.target.value }, previousData: record },
          { mutationMode: 'pessimistic', onSuccess: () => (notify('État modifié.', { type: 'success' }), refresh()), onError: (err) => notify((err as Error).message, { type: 'error' }) },
        )
      }
    >
      {SOLICITATION_STATUS_CHOICES.map((c) => (
        <MenuItem key={c.id} value={c.id}>
          {c.name}
        </MenuItem>
      ))}
    </MuiTextField>
  );
}

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectArrayInput key="status" source="status" choices={SOLICITATION_STATUS_CHOICES} alwaysOn />,
  <VocabularySelectInput key="type" source="type" vocabulary="solicitation-types" />,
  <VocabularySelectInput key="requesterType" source="requesterType" vocabulary="requester-types" />,
  <ReferenceInput key="assignee" source="assignee" reference="users">
    <SelectInput optionText="name" />
  </ReferenceInput>,
];

function SolicitationList() {
  return (
    <List filters={filters} filterDefaultValues={{ status: ['new', 'in-progress'] }} sort={{ field: 'receivedAt', order: 'DESC' }}>
      <DataTable rowClick="edit">
        <DataTable.Col source="receivedAt">
          <DateField source="receivedAt" locales="fr-FR" />
        </DataTable.Col>
        <DataTable.Col source="requesterName" disableSort />
        <DataTable.Col source="subject" disableSort />
        <DataTable.Col source="type">
          <VocabularyField source="type" vocabulary="solicitation-types" />
        </DataTable.Col>
        <DataTable.Col source="requesterType">
          <VocabularyField source="requesterType" vocabulary="requester-types" />
        </DataTable.Col>
        <DataTable.Col source="isMember" disableSort>
          <BooleanField source="isMember" />
        </DataTable.Col>
        <DataTable.Col source="status">
          <QuickStatus />
        </DataTable.Col>
        <DataTable.NumberCol source="timeSpentMinutes" />
      </DataTable>
    </List>
  );
}

const byText = (q: string) => ({ q });

function SolicitationInputs({ create = false }: { create?: boolean }) {
  return (
    <>
      <DateInput source="receivedAt" defaultValue={create ? new Date().toISOString().slice(0, 10) : undefined} />
      <VocabularySelectInput source="channel" vocabulary="solicitation-channels" />
      <ReferenceInput source="requester" reference="contacts">
        <AutocompleteInput optionText={(c: Contact) => `${contactName(c)} <${c.email}>`} filterToQuery={byText} />
      </ReferenceInput>
      {create && <TextInput source="requesterEmail" type="email" helperText="Ou l'adresse du demandeur : le contact est retrouvé ou créé" />}
      <VocabularySelectInput source="requesterType" vocabulary="requester-types" emptyText="—" />
      <TextInput source="organisationName" />
      <VocabularySelectInput source="type" vocabulary="solicitation-types" emptyText="—" />
      <TextInput source="subject" fullWidth />
      <TextInput source="message" multiline minRows={3} fullWidth />
      <ThemeArrayInput fullWidth />
      <TerritoryInput source="territory" />
      <SelectInput source="status" choices={SOLICITATION_STATUS_CHOICES} />
      <ReferenceInput source="assignee" reference="users">
        <SelectInput optionText="name" emptyText="—" />
      </ReferenceInput>
      <NumberInput source="timeSpentMinutes" min={0} />
      <TextInput source="answer" multiline minRows={3} fullWidth />
    </>
  );
}

const editable = (d: Record<string, unknown>) => {
  const keys = ['receivedAt', 'channel', 'requester', 'requesterEmail', 'requesterType', 'organisationName', 'type', 'subject', 'message', 'themes', 'territory', 'status', 'assignee', 'timeSpentMinutes', 'answer'];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (d[key] !== undefined && d[key] !== '') out[key] = d[key];
  if (typeof out.receivedAt === 'string') out.receivedAt = String(out.receivedAt).slice(0, 10);
  return out;
};

function SolicitationCreate() {
  return (
    <Create redirect="list" transform={editable}>
      <SimpleForm>
        <SolicitationInputs create />
      </SimpleForm>
    </Create>
  );
}

function SolicitationEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={editable}>
      <SimpleForm>
        <ReferenceField source="requester" reference="contacts" link="show" />
        <TextField source="statusLabel" />
        <SolicitationInputs />
      </SimpleForm>
    </Edit>
  );
}

export default { list: SolicitationList, create: SolicitationCreate, edit: SolicitationEdit, icon: QuestionAnswerIcon, recordRepresentation: 'subject' };
