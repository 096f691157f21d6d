import { Edit, SimpleForm } from 'react-admin';
import { UserInputs } from './UserInputs';

/** The API never returns the password; an empty field is not sent. */
const withoutEmptyPassword = ({ password, ...rest }: Record<string, unknown>) => (password ? { ...rest, password } : rest);

export function UserEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={withoutEmptyPassword}>
      <SimpleForm>
        <UserInputs edit />
      </SimpleForm>
    </Edit>
  );
}
