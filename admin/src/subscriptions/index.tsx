import {
  AutocompleteInput,
  Create,
  DataTable,
  DateField,
  Edit,
  ReferenceField,
  ReferenceInput,
  required,
  SelectArrayInput,
  SelectField,
  SelectInput,
  SimpleForm,
  List,
} from 'react-admin';
import { ConsentField } from '../contacts/ConsentField';
import { contactName, SUBSCRIPTION_STATES, type Contact } from '../contacts/contactModel';

const SOURCES = [
  { id: 'form', name: 'Formulaire public' },
  { id: 'import', name: 'Import' },
  { id: 'staff', name: 'Équipe' },
  { id: 'preferences', name: 'Préférences' },
];

const filters = [
  <ReferenceInput key="list" source="list" reference="lists" alwaysOn>
    <SelectInput optionText="name" />
  </ReferenceInput>,
  <SelectArrayInput key="status" source="status" choices={SUBSCRIPTION_STATES} alwaysOn />,
  <SelectInput key="source" source="source" choices={SOURCES} />,
];

/** Subscribers per list with their state and consent proof; manual add, unsubscribe. */
function SubscriptionList() {
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} exporter={false}>
      <DataTable rowClick="edit" bulkActionButtons={false}>
        <DataTable.Col source="contact" disableSort>
          <ReferenceField source="contact" reference="contacts" link="show" />
        </DataTable.Col>
        <DataTable.Col source="list" disableSort>
          <ReferenceField source="list" reference="lists" link={false} />
        </DataTable.Col>
        <DataTable.Col source="status">
          <SelectField source="status" choices={SUBSCRIPTION_STATES} />
        </DataTable.Col>
        <DataTable.Col source="source">
          <SelectField source="source" choices={SOURCES} />
        </DataTable.Col>
        <DataTable.Col source="consent" disableSort>
          <ConsentField />
        </DataTable.Col>
        <DataTable.Col source="createdAt">
          <DateField source="createdAt" locales="fr-FR" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

function SubscriptionCreate() {
  return (
    <Create redirect="list" transform={(d: Record<string, unknown>) => ({ contact: d.contact, list: d.list, status: d.status, source: 'staff' })}>
      <SimpleForm defaultValues={{ status: 'subscribed' }}>
        <ReferenceInput source="contact" reference="contacts">
          <AutocompleteInput optionText={(c: Contact) => `${contactName(c)} <${c.email}>`} filterToQuery={(q: string) => ({ q })} validate={required()} />
        </ReferenceInput>
        <ReferenceInput source="list" reference="lists">
          <SelectInput optionText="name" validate={required()} />
        </ReferenceInput>
        <SelectInput
          source="status"
          choices={[
            { id: 'subscribed', name: 'Abonné·e' },
            { id: 'pending', name: 'Envoyer une demande de confirmation' },
          ]}
        />
      </SimpleForm>
    </Create>
  );
}

function SubscriptionEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={(d: Record<string, unknown>) => ({ status: d.status })}>
      <SimpleForm>
        <ReferenceField source="contact" reference="contacts" link="show" />
        <ReferenceField source="list" reference="lists" link={false} />
        <ConsentField />
        <SelectInput
          source="status"
          choices={[
            { id: 'subscribed', name: 'Abonné·e' },
            { id: 'unsubscribed', name: 'Désabonné·e' },
            { id: 'rejected', name: 'Refusé' },
          ]}
        />
      </SimpleForm>
    </Edit>
  );
}

export default { list: SubscriptionList, create: SubscriptionCreate, edit: SubscriptionEdit };
