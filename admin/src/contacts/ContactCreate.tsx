import { Create, SimpleForm } from 'react-admin';
import { ContactInputs } from './ContactInputs';

export function ContactCreate() {
  return (
    <Create redirect="show">
      <SimpleForm>
        <ContactInputs />
      </SimpleForm>
    </Create>
  );
}
