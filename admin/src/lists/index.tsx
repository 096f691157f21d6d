import { Link } from 'react-router-dom';
import {
  BooleanField,
  BooleanInput,
  Create,
  DataTable,
  Edit,
  FunctionField,
  List,
  NumberInput,
  regex,
  required,
  SelectInput,
  SimpleForm,
  TextInput,
} from 'react-admin';

const LEGAL_BASES = [
  { id: 'consent', name: 'Consentement' },
  { id: 'legitimate-interest', name: 'Intérêt légitime' },
  { id: 'membership', name: 'Adhésion' },
];

function ListInputs({ edit = false }: { edit?: boolean }) {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="code" disabled={edit} validate={[required(), regex(/^[a-z0-9-]+$/, 'Minuscules, chiffres et tirets uniquement.')]} />
      <TextInput source="description" multiline fullWidth />
      <BooleanInput source="public" />
      <BooleanInput source="doubleOptIn" />
      <SelectInput source="legalBasis" choices={LEGAL_BASES} />
      <TextInput source="consentWording" multiline fullWidth />
      <NumberInput source="order" />
      {edit && <BooleanInput source="active" />}
    </>
  );
}

/** Lists with their subscriber count; a click opens the subscribers of the list. */
function MailingListList() {
  return (
    <List sort={{ field: 'order', order: 'ASC' }} exporter={false}>
      <DataTable rowClick="edit" bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col source="code" />
        <DataTable.Col source="public">
          <BooleanField source="public" />
        </DataTable.Col>
        <DataTable.Col source="doubleOptIn">
          <BooleanField source="doubleOptIn" />
        </DataTable.Col>
        <DataTable.Col source="subscribers" disableSort>
          <FunctionField
            render={(l: { id: string; subscribers?: number }) => (
              <Link to={`/subscriptions?filter=${encodeURIComponent(JSON.stringify({ list: l.id }))}`} onClick={(e) => e.stopPropagation()}>
                {l.subscribers ?? 'Voir'} abonné·es
              </Link>
            )}
          />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

export default {
  list: MailingListList,
  create: () => (
    <Create redirect="list">
      <SimpleForm>
        <ListInputs />
      </SimpleForm>
    </Create>
  ),
  edit: () => (
    <Edit mutationMode="pessimistic" redirect="list">
      <SimpleForm>
        <ListInputs edit />
      </SimpleForm>
    </Edit>
  ),
};
