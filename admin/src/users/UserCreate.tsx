import { Create, SimpleForm } from 'react-admin';
import { UserInputs } from './UserInputs';

export function UserCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <UserInputs />
      </SimpleForm>
    </Create>
  );
}
