import { Create, SimpleForm } from 'react-admin';
import { VocabularyInputs } from './VocabularyInputs';

export function VocabularyCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <VocabularyInputs />
      </SimpleForm>
    </Create>
  );
}
