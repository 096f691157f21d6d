import { Edit, SimpleForm } from 'react-admin';
import { ContactInputs } from './ContactInputs';
import { editableContact, type Contact } from './contactModel';

export function ContactEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={(data: Contact) => editableContact(data)}>
      <SimpleForm>
        <ContactInputs />
      </SimpleForm>
    </Edit>
  );
}
