import { Create, DataTable, DateField, Edit, List, required, SimpleForm, TextInput } from 'react-admin';

/** Saved answers staff start from when answering a request by e-mail. */
function TemplateList() {
  return (
    <List sort={{ field: 'name', order: 'ASC' }} pagination={false}>
      <DataTable rowClick="edit">
        <DataTable.Col source="name" />
        <DataTable.Col source="updatedAt">
          <DateField source="updatedAt" locales="fr-FR" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

function TemplateInputs() {
  return (
    <SimpleForm>
      <TextInput source="name" validate={required()} fullWidth />
      <TextInput source="body" validate={required()} multiline minRows={8} fullWidth />
    </SimpleForm>
  );
}

export default {
  list: TemplateList,
  create: () => (
    <Create redirect="list">
      <TemplateInputs />
    </Create>
  ),
  edit: () => (
    <Edit redirect="list" mutationMode="pessimistic">
      <TemplateInputs />
    </Edit>
  ),
};
