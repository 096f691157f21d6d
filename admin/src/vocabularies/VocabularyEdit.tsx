import { Edit, SimpleForm } from 'react-admin';
import { VocabularyInputs } from './VocabularyInputs';

const editable = ({ label, order, active }: Record<string, unknown>) => ({ label, order, active });

export function VocabularyEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={editable}>
      <SimpleForm>
        <VocabularyInputs edit />
      </SimpleForm>
    </Edit>
  );
}
