import { BooleanField, DataTable, DateField, List, SearchInput, SelectField, SelectInput } from 'react-admin';
import { ROLE_CHOICES } from './roles';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="role" source="role" choices={ROLE_CHOICES} />];

export function UserList() {
  return (
    <List filters={filters} sort={{ field: 'email', order: 'ASC' }}>
      <DataTable rowClick="edit">
        <DataTable.Col source="email" />
        <DataTable.Col source="name" />
        <DataTable.Col source="role">
          <SelectField source="role" choices={ROLE_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="active">
          <BooleanField source="active" />
        </DataTable.Col>
        <DataTable.Col source="lastLoginAt">
          <DateField source="lastLoginAt" showTime locales="fr-FR" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
