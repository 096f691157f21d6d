import { ChipField, CreateButton, DataTable, DateField, FunctionField, List, SearchInput, SelectInput, TopToolbar } from 'react-admin';
import { count } from '../mailings/mailingModel';
import { CAMPAIGN_STATUS_CHOICES, campaignStatusLabel, type Campaign } from './campaignModel';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="status" source="status" label="État" choices={CAMPAIGN_STATUS_CHOICES} />];

export function CampaignList() {
  return (
    <List
      filters={filters}
      sort={{ field: 'createdAt', order: 'DESC' }}
      exporter={false}
      actions={
        <TopToolbar>
          <CreateButton label="Nouvel envoi ciblé" />
        </TopToolbar>
      }
    >
      <DataTable rowClick="show">
        <DataTable.Col source="subject" label="Objet" />
        <DataTable.Col source="status" label="État">
          <FunctionField<Campaign> render={(c) => <ChipField record={{ label: campaignStatusLabel(c.status) }} source="label" />} />
        </DataTable.Col>
        <DataTable.Col label="Destinataires" disableSort>
          <FunctionField<Campaign> render={(c) => (c.audience ? count(c.audience.count) : '—')} />
        </DataTable.Col>
        <DataTable.Col source="sendingAt" label="Envoyé le">
          <DateField source="sendingAt" showTime />
        </DataTable.Col>
        <DataTable.Col source="createdAt" label="Créé le">
          <DateField source="createdAt" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
