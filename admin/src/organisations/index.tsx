import {
  Create,
  DataTable,
  Edit,
  List,
  ReferenceField,
  SearchInput,
  Show,
  SimpleForm,
  TabbedShowLayout,
  TextField,
  UrlField,
  useGetList,
  useRecordContext,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { RecordHistory } from '../contacts/ContactHistory';
import { TerritoryArrayInput } from '../common/territories';
import { VocabularyArrayInput, VocabularyField } from '../common/vocabulary';
import { OrganisationInputs } from './OrganisationInputs';

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <VocabularyArrayInput key="type" source="type" vocabulary="organisation-types" autocomplete alwaysOn />,
  <TerritoryArrayInput key="territories" source="territories" />,
];

const editable = ({ name, type, territory, website, siren, notes }: Record<string, unknown>) => ({
  name,
  type,
  territory: territory || null,
  website: website ?? '',
  siren: siren ?? '',
  notes: notes ?? '',
});

function OrganisationList() {
  return (
    <List filters={filters} sort={{ field: 'name', order: 'ASC' }}>
      <DataTable rowClick="show">
        <DataTable.Col source="name" />
        <DataTable.Col source="type">
          <VocabularyField source="type" vocabulary="organisation-types" />
        </DataTable.Col>
        <DataTable.Col source="territory" disableSort>
          <ReferenceField source="territory" reference="territories" link={false} />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

/** How many contacts work there, linking to the contact list filtered on the organisation. */
function ContactsCount(_: { label?: string }) {
  const record = useRecordContext();
  const filter = { organisations: [record?.id] };
  const { total } = useGetList('contacts', { filter, pagination: { page: 1, perPage: 1 } }, { enabled: !!record });
  if (total === undefined) return null;
  return <Link to={`/contacts?filter=${encodeURIComponent(JSON.stringify(filter))}`}>{total} contact(s)</Link>;
}

function OrganisationShow() {
  return (
    <Show>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="Fiche">
          <TextField source="name" />
          <VocabularyField source="type" vocabulary="organisation-types" />
          <ReferenceField source="territory" reference="territories" link={false} />
          <UrlField source="website" target="_blank" rel="noopener" />
          <TextField source="siren" />
          <TextField source="notes" />
          <ContactsCount label="Contacts" />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Historique" path="historique">
          <RecordHistory resource="organisations" />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  );
}

function OrganisationCreate() {
  return (
    <Create redirect="show" transform={editable}>
      <SimpleForm>
        <OrganisationInputs />
      </SimpleForm>
    </Create>
  );
}

function OrganisationEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={editable}>
      <SimpleForm>
        <OrganisationInputs />
      </SimpleForm>
    </Edit>
  );
}

export default {
  list: OrganisationList,
  show: OrganisationShow,
  create: OrganisationCreate,
  edit: OrganisationEdit,
};
