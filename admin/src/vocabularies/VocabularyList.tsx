import { BooleanField, BooleanInput, DataTable, List, SelectField, SelectInput } from 'react-admin';
import { VOCABULARY_KIND_CHOICES } from './kinds';

const filters = [
  <SelectInput key="kind" source="kind" choices={VOCABULARY_KIND_CHOICES} alwaysOn />,
  <BooleanInput key="active" source="active" />,
];

export function VocabularyList() {
  return (
    <List filters={filters} sort={{ field: 'order', order: 'ASC' }} perPage={50}>
      <DataTable rowClick="edit">
        <DataTable.Col source="kind">
          <SelectField source="kind" choices={VOCABULARY_KIND_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="label" />
        <DataTable.Col source="code" />
        <DataTable.NumberCol source="order" />
        <DataTable.Col source="active">
          <BooleanField source="active" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
