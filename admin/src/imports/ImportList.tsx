import { DataTable, DateField, List, NumberField, SelectField, SelectInput } from 'react-admin';
import { STATUS_CHOICES } from './importModel';

const filters = [<SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn />];

export function ImportList() {
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} exporter={false}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="createdAt">
          <DateField source="createdAt" showTime locales="fr-FR" />
        </DataTable.Col>
        <DataTable.Col source="fileName" />
        <DataTable.Col source="status">
          <SelectField source="status" choices={STATUS_CHOICES} />
        </DataTable.Col>
        <DataTable.NumberCol source="counts.created" disableSort>
          <NumberField source="counts.created" />
        </DataTable.NumberCol>
        <DataTable.NumberCol source="counts.updated" disableSort>
          <NumberField source="counts.updated" />
        </DataTable.NumberCol>
        <DataTable.NumberCol source="counts.errors" disableSort>
          <NumberField source="counts.errors" />
        </DataTable.NumberCol>
      </DataTable>
    </List>
  );
}
