import { BooleanInput, PasswordInput, required, SelectInput, TextInput, email, minLength } from 'react-admin';
import { ROLE_CHOICES } from './roles';

/** Shared by create and edit; on edit the password is optional (left empty: unchanged). */
export function UserInputs({ edit = false }: { edit?: boolean }) {
  return (
    <>
      <TextInput source="email" type="email" validate={[required(), email()]} autoComplete="off" />
      <TextInput source="name" validate={required()} />
      <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} />
      <PasswordInput
        source="password"
        autoComplete="new-password"
        validate={edit ? minLength(12) : [required(), minLength(12)]}
        helperText={edit ? 'Laisser vide pour ne pas le changer (12 caractères au moins).' : '12 caractères au moins.'}
      />
      {edit && <BooleanInput source="active" />}
    </>
  );
}
