import { Box, Paper } from '@mui/material';
import { DataTable, DateField, List, SearchInput, SelectField, SelectInput, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';

const STREAMS = [
  { id: 'bulk', name: 'Envoi en nombre' },
  { id: 'transactional', name: 'Message unitaire' },
];

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="stream" source="stream" choices={STREAMS} alwaysOn />];

function OutboxList() {
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} exporter={false}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="createdAt">
          <DateField source="createdAt" showTime locales="fr-FR" />
        </DataTable.Col>
        <DataTable.Col source="to" />
        <DataTable.Col source="subject" />
        <DataTable.Col source="stream">
          <SelectField source="stream" choices={STREAMS} />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

/** The message as received, in a sandboxed frame (no script, no access to the admin). */
function MessageBody() {
  const record = useRecordContext<{ html: string; text: string }>();
  if (!record) return null;
  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
      <Paper variant="outlined">
        <iframe title="Message HTML" sandbox="" srcDoc={record.html} width={640} height={700} style={{ border: 0, display: 'block' }} />
      </Paper>
      <Paper variant="outlined" component="pre" sx={{ p: 2, whiteSpace: 'pre-wrap', maxWidth: 500 }}>
        {record.text}
      </Paper>
    </Box>
  );
}

function OutboxShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <DateField source="createdAt" showTime locales="fr-FR" />
        <TextField source="from" />
        <TextField source="to" />
        <TextField source="subject" />
        <MessageBody />
      </SimpleShowLayout>
    </Show>
  );
}

export default { list: OutboxList, show: OutboxShow };
