import { Typography } from '@mui/material';
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
  SimpleList,
  TextField,
  TextInput,
} from 'react-admin';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryInput } from '../common/territories';
import { VocabularyField, VocabularySelectInput } from '../common/vocabulary';
import { contactName, type Contact } from '../contacts/contactModel';
import { AssigneeField, AssigneeInput } from './assignees';
import { SOLICITATION_STATUS_CHOICES, statusLabel } from './solicitationModel';
import { usePhone } from '../common/usePhone';
import { QuickStatus } from './StatusChange';
import { Conversation } from './Conversation';
import { WorkListActions } from './WorkList';
import { today } from '../common/format';

type Solicitation = { id: string; subject?: string; reference?: string; requesterName?: string; receivedAt?: string; status: string; unread?: boolean };

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectArrayInput key="status" source="status" choices={SOLICITATION_STATUS_CHOICES} alwaysOn />,
  <VocabularySelectInput key="type" source="type" vocabulary="solicitation-types" />,
  <VocabularySelectInput key="requesterType" source="requesterType" vocabulary="requester-types" />,
  <AssigneeInput key="assignee" source="assignee" />,
];

/** On a phone: subject, requester and date, and the status always in view. */
function PhoneList() {
  return (
    <SimpleList<Solicitation>
      primaryText={(s) => s.subject || s.reference}
      secondaryText={(s) => [s.requesterName, s.receivedAt && new Date(s.receivedAt).toLocaleDateString('fr-FR')].filter(Boolean).join(' · ')}
      tertiaryText={(s) => statusLabel(s.status)}
      rowClick="edit"
      rowSx={(s) => ({ fontWeight: s.unread ? 700 : 400 })}
    />
  );
}

function SolicitationList() {
  const phone = usePhone();
  return (
    <List filters={filters} filterDefaultValues={{ status: ['new', 'in-progress'] }} sort={{ field: 'unread', order: 'DESC' }} actions={<WorkListActions />}>
      {phone ? (
        <PhoneList />
      ) : (
        <DataTable rowClick="edit" rowSx={(record) => ({ '& td': { fontWeight: record.unread ? 700 : 400 } })}>
          <DataTable.Col source="unread" label="Non lue">
            <BooleanField source="unread" looseValue FalseIcon={null} />
          </DataTable.Col>
          <DataTable.Col source="reference" disableSort />
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
          <DataTable.Col source="assignee" disableSort>
            <AssigneeField />
          </DataTable.Col>
          <DataTable.NumberCol source="timeSpentMinutes" />
        </DataTable>
      )}
    </List>
  );
}

const byText = (q: string) => ({ q });

function SolicitationInputs({ create = false }: { create?: boolean }) {
  return (
    <>
      <DateInput source="receivedAt" defaultValue={create ? today() : undefined} />
      <VocabularySelectInput source="channel" vocabulary="solicitation-channels" />
      <ReferenceInput source="requester" reference="contacts">
        <AutocompleteInput optionText={(c: Contact) => `${contactName(c)} <${c.email}>`} filterToQuery={byText} />
      </ReferenceInput>
      {create && <TextInput source="requesterEmail" type="email" helperText="Ou l'adresse du demandeur : le contact est retrouvé ou créé" />}
      <Typography variant="body2" color="text.secondary">
        Sans adresse e-mail (un appel, par exemple) : notez le nom et le téléphone, aucun contact n'est créé.
      </Typography>
      <TextInput source="requesterFirstName" />
      <TextInput source="requesterLastName" />
      <TextInput source="requesterPhone" type="tel" />
      <VocabularySelectInput source="requesterType" vocabulary="requester-types" emptyText="—" />
      <TextInput source="organisationName" />
      <VocabularySelectInput source="type" vocabulary="solicitation-types" emptyText="—" />
      <TextInput source="subject" fullWidth />
      <TextInput source="message" multiline minRows={3} fullWidth />
      <ThemeArrayInput fullWidth />
      <TerritoryInput source="territory" />
      <SelectInput source="status" choices={SOLICITATION_STATUS_CHOICES} />
      <AssigneeInput source="assignee" emptyText="Personne" />
      <NumberInput source="timeSpentMinutes" min={0} />
      <TextInput source="answer" multiline minRows={3} fullWidth />
    </>
  );
}

/** "Répondue" needs the answer given. */
function validateSolicitation(values: Record<string, unknown>) {
  if (values.status === 'answered' && !String(values.answer ?? '').trim()) return { answer: 'Indiquez la réponse apportée pour passer à « Répondue ».' };
  return {};
}

const editable = (d: Record<string, unknown>) => {
  const keys = ['receivedAt', 'channel', 'requester', 'requesterEmail', 'requesterFirstName', 'requesterLastName', 'requesterPhone', 'requesterType', 'organisationName', 'type', 'subject', 'message', 'themes', 'territory', 'status', 'assignee', 'timeSpentMinutes', 'answer'];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (d[key] !== undefined && d[key] !== '') out[key] = d[key];
  if (typeof out.receivedAt === 'string') out.receivedAt = String(out.receivedAt).slice(0, 10);
  return out;
};

function SolicitationCreate() {
  return (
    <Create redirect="list" transform={editable}>
      <SimpleForm validate={validateSolicitation}>
        <SolicitationInputs create />
      </SimpleForm>
    </Create>
  );
}

function SolicitationEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={editable}>
      <SimpleForm validate={validateSolicitation}>
        <Conversation />
        <ReferenceField source="requester" reference="contacts" link="show" />
        <TextField source="statusLabel" />
        <SolicitationInputs />
      </SimpleForm>
    </Edit>
  );
}

export default { list: SolicitationList, create: SolicitationCreate, edit: SolicitationEdit };
