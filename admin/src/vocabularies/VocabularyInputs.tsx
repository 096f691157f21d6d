import { BooleanInput, NumberInput, regex, required, SelectInput, TextInput } from 'react-admin';
import { VOCABULARY_KIND_CHOICES } from './kinds';

/** Kind and code are fixed once created (other records refer to the code). */
export function VocabularyInputs({ edit = false }: { edit?: boolean }) {
  return (
    <>
      <SelectInput source="kind" choices={VOCABULARY_KIND_CHOICES} validate={required()} disabled={edit} />
      <TextInput
        source="code"
        disabled={edit}
        validate={[required(), regex(/^[a-z0-9-]+$/, 'Minuscules, chiffres et tirets uniquement.')]}
      />
      <TextInput source="label" validate={required()} />
      <NumberInput source="order" />
      {edit && <BooleanInput source="active" />}
    </>
  );
}
