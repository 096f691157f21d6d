import { VocabularyCreate } from './VocabularyCreate';
import { VocabularyEdit } from './VocabularyEdit';
import { VocabularyList } from './VocabularyList';

export default {
  list: VocabularyList,
  create: VocabularyCreate,
  edit: VocabularyEdit,
};
