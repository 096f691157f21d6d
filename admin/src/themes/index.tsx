import { Create, Edit, SimpleForm } from 'react-admin';
import { ThemeInputs } from './ThemeInputs';
import { ThemeList } from './ThemeList';

const editable = ({ code, name, parent, order }: Record<string, unknown>) => ({ code, name, parent: parent || null, order });

function ThemeCreate() {
  return (
    <Create redirect="list" transform={editable}>
      <SimpleForm>
        <ThemeInputs />
      </SimpleForm>
    </Create>
  );
}

function ThemeEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={editable}>
      <SimpleForm>
        <ThemeInputs />
      </SimpleForm>
    </Edit>
  );
}

export default { list: ThemeList, create: ThemeCreate, edit: ThemeEdit };
