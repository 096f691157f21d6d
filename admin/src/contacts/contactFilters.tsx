import { AutocompleteArrayInput, ReferenceArrayInput, ReferenceInput, SearchInput, SelectArrayInput, AutocompleteInput } from 'react-admin';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import { VocabularyArrayInput } from '../common/vocabulary';
import { MEMBERSHIP_STATES } from './contactModel';

/** The contact filter vocabulary of API.md; shared by the contact list and the segment builder. */
export const contactFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Nom, e-mail, organisation…" />,
  <ThemeArrayInput key="themes" source="themes" />,
  <TerritoryArrayInput key="territories" source="territories" />,
  <VocabularyArrayInput key="organisationTypes" source="organisationTypes" vocabulary="organisation-types" autocomplete />,
  <VocabularyArrayInput key="functions" source="functions" vocabulary="functions" autocomplete />,
  <VocabularyArrayInput key="dispositifs" source="dispositifs" vocabulary="dispositifs" />,
  <ReferenceArrayInput key="lists" source="lists" reference="lists">
    <AutocompleteArrayInput optionText="name" />
  </ReferenceArrayInput>,
  <SelectArrayInput key="membership" source="membership" choices={MEMBERSHIP_STATES} />,
  <ReferenceInput key="segment" source="segment" reference="segments">
    <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} />
  </ReferenceInput>,
];
