import { regex, required, TextInput } from 'react-admin';
import { TerritoryInput } from '../common/territories';
import { VocabularySelectInput } from '../common/vocabulary';

export function OrganisationInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} fullWidth />
      <VocabularySelectInput source="type" vocabulary="organisation-types" validate={required()} />
      <TerritoryInput source="territory" />
      <TextInput source="website" type="url" fullWidth />
      <TextInput source="siren" validate={regex(/^(\d{9})?$/, 'SIREN à 9 chiffres.')} />
      <TextInput source="notes" multiline minRows={3} fullWidth />
    </>
  );
}
