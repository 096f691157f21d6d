import { DataTable, List, NumberField, SearchInput, SelectField, SelectInput } from 'react-admin';

export const TERRITORY_KINDS = [
  { id: 'region', name: 'Région' },
  { id: 'departement', name: 'Département' },
  { id: 'epci', name: 'EPCI' },
  { id: 'commune', name: 'Commune' },
  { id: 'qualite', name: 'Qualité (QPV, rural, outre-mer)' },
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Nom, code, code postal…" />,
  <SelectInput key="kind" source="kind" choices={TERRITORY_KINDS} alwaysOn />,
];

/** The official geography (INSEE COG), read-only. */
function TerritoryList() {
  return (
    <List filters={filters} sort={{ field: 'relevance', order: 'ASC' }} perPage={25} exporter={false}>
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="label" />
        <DataTable.Col source="kind">
          <SelectField source="kind" choices={TERRITORY_KINDS} />
        </DataTable.Col>
        <DataTable.Col source="code" disableSort />
        <DataTable.Col source="postalCodes" disableSort render={(t: { postalCodes?: string[] }) => t.postalCodes?.join(', ')} />
        <DataTable.NumberCol source="population" disableSort>
          <NumberField source="population" locales="fr-FR" />
        </DataTable.NumberCol>
      </DataTable>
    </List>
  );
}

export default { list: TerritoryList };
