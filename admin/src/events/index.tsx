import {
  ArrayInput,
  BooleanInput,
  Button,
  Create,
  DataTable,
  DateField,
  Edit,
  EditButton,
  FunctionField,
  List,
  NumberInput,
  ReferenceArrayInput,
  ReferenceManyField,
  SearchInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  SimpleFormIterator,
  TabbedShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  UrlField,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
  useUpdate,
} from 'react-admin';
import { TerritoryInput } from '../common/territories';
import { ThemeArrayInput } from '../common/themes';
import { EventFigures } from './EventFigures';
import { EventFollowUp } from './EventFollowUp';
import { ACCESS_CHOICES, EVALUATION_KIND_CHOICES, EVENT_KIND_CHOICES, eventPayload, QUESTION_KIND_CHOICES, REGISTRATION_STATUS_CHOICES, type Registration } from './eventModel';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="kind" source="kind" choices={EVENT_KIND_CHOICES} />];
const paris = (local?: string) => (local ? `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}` : '');

function EventList() {
  return (
    <List filters={filters} sort={{ field: 'startsAt', order: 'DESC' }}>
      <DataTable rowClick="show">
        <DataTable.Col source="title" />
        <DataTable.Col source="kind">
          <SelectField source="kind" choices={EVENT_KIND_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="startsAt" label="Début (heure de Paris)">
          <FunctionField render={(r: { start: string }) => paris(r.start)} />
        </DataTable.Col>
        <DataTable.Col source="place" disableSort />
        <DataTable.Col source="counts.registered" label="Inscrit·es" disableSort />
        <DataTable.Col source="counts.waiting" label="Attente" disableSort />
        <DataTable.Col source="counts.present" label="Présent·es" disableSort />
      </DataTable>
    </List>
  );
}

const localDateTime = { type: 'datetime-local', InputLabelProps: { shrink: true } } as const;

function EventInputs() {
  return (
    <>
      <TextInput source="title" validate={required()} fullWidth />
      <SelectInput source="kind" choices={EVENT_KIND_CHOICES} validate={required()} />
      <TextInput source="start" validate={required()} helperText="Heure de Paris" {...localDateTime} />
      <TextInput source="end" validate={required()} helperText="Heure de Paris" {...localDateTime} />
      <TextInput source="place" fullWidth helperText="Adresse, ou vide pour un webinaire" />
      <TextInput source="visioUrl" type="url" fullWidth helperText="Envoyé seulement aux personnes inscrites confirmées" />
      <TextInput source="description" multiline minRows={3} fullWidth />
      <TextInput source="programmeUrl" type="url" fullWidth />
      <NumberInput source="capacity" min={1} helperText="Vide : sans limite. Au-delà, liste d'attente." />
      <TextInput source="registrationOpens" helperText="Vide : dès maintenant" {...localDateTime} />
      <TextInput source="registrationCloses" helperText="Vide : jusqu'au début" {...localDateTime} />
      <SelectInput source="access" choices={ACCESS_CHOICES} defaultValue="public" />
      <ReferenceArrayInput source="coOrganisers" reference="organisations" />
      <ThemeArrayInput fullWidth />
      <TerritoryInput source="territory" />
      <ArrayInput source="questions">
        <SimpleFormIterator inline>
          <TextInput source="label" validate={required()} />
          <SelectInput source="kind" choices={QUESTION_KIND_CHOICES} defaultValue="text" />
          <TextInput source="choices" multiline helperText="Choix : un par ligne" format={(v: unknown) => (Array.isArray(v) ? v.join('\n') : (v as string) ?? '')} />
          <BooleanInput source="required" />
        </SimpleFormIterator>
      </ArrayInput>
      <ArrayInput source="evaluationQuestions">
        <SimpleFormIterator inline>
          <TextInput source="label" validate={required()} />
          <SelectInput source="kind" choices={EVALUATION_KIND_CHOICES} defaultValue="rating" />
        </SimpleFormIterator>
      </ArrayInput>
    </>
  );
}

function EventCreate() {
  return (
    <Create redirect="show" transform={eventPayload}>
      <SimpleForm>
        <EventInputs />
      </SimpleForm>
    </Create>
  );
}

function EventEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={eventPayload}>
      <SimpleForm>
        <EventInputs />
      </SimpleForm>
    </Edit>
  );
}

function CancelButton() {
  const record = useRecordContext<Registration>();
  const [update, { isPending }] = useUpdate();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.status === 'cancelled') return null;
  return (
    <Button
      label="Annuler"
      disabled={isPending}
      onClick={(e) => {
        e.stopPropagation();
        update('registrations', { id: record.id, data: { status: 'cancelled' }, previousData: record }, { mutationMode: 'pessimistic', onSuccess: () => (notify('Inscription annulée.'), refresh()), onError: (err: Error) => notify(err.message, { type: 'error' }) });
      }}
    />
  );
}

function PublicLink() {
  const record = useRecordContext<{ publicUrl?: string; invitationUrl?: string; access: string }>();
  if (!record) return null;
  return <UrlField source={record.access === 'invitation' ? 'invitationUrl' : 'publicUrl'} target="_blank" rel="noopener" />;
}

function EventShow() {
  return (
    <Show actions={<TopToolbar><EditButton /></TopToolbar>}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="Présentation">
          <TextField source="title" />
          <SelectField source="kind" choices={EVENT_KIND_CHOICES} />
          <FunctionField label="Dates (heure de Paris)" render={(r: { start: string; end: string }) => `${paris(r.start)} → ${paris(r.end)}`} />
          <TextField source="place" />
          <TextField source="visioUrl" />
          <FunctionField label="Capacité" render={(r: { capacity?: number }) => r.capacity ?? 'Sans limite'} />
          <FunctionField label="Page d'inscription" render={() => <PublicLink />} />
          <FunctionField label="Inscriptions" render={(r: { counts: Record<string, number> }) => `${r.counts.registered} inscrit·es, ${r.counts.waiting} en liste d'attente, ${r.counts.cancelled} annulations, ${r.counts.present} présent·es`} />
          <TextField source="description" />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Inscrit·es" path="inscrits">
          <ReferenceManyField reference="registrations" target="event" sort={{ field: 'registeredAt', order: 'ASC' }} perPage={100}>
            <DataTable bulkActionButtons={false}>
              <DataTable.Col source="lastName" />
              <DataTable.Col source="firstName" />
              <DataTable.Col source="email" />
              <DataTable.Col source="organisationName" />
              <DataTable.Col source="status">
                <SelectField source="status" choices={REGISTRATION_STATUS_CHOICES} />
              </DataTable.Col>
              <DataTable.Col source="attendance" label="Présence">
                <FunctionField render={(r: Registration) => (r.attendance === 'present' ? 'Présent·e' : r.attendance === 'absent' ? 'Absent·e' : '')} />
              </DataTable.Col>
              <DataTable.Col source="registeredAt">
                <DateField source="registeredAt" showTime locales="fr-FR" />
              </DataTable.Col>
              <DataTable.Col label="Action">
                <CancelButton />
              </DataTable.Col>
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Suites" path="suites">
          <EventFollowUp />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Chiffres" path="chiffres">
          <EventFigures />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  );
}

export default { list: EventList, create: EventCreate, edit: EventEdit, show: EventShow };
