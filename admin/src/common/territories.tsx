import { AutocompleteArrayInput, AutocompleteInput, ReferenceArrayInput, ReferenceInput } from 'react-admin';

const byText = (q: string) => ({ q });

/** Territories found by name, INSEE code, département number or postal code (the API's search). */
export function TerritoryArrayInput({ source = 'territories', label, alwaysOn }: { source?: string; label?: string; alwaysOn?: boolean }) {
  return (
    <ReferenceArrayInput source={source} reference="territories" perPage={20} alwaysOn={alwaysOn}>
      <AutocompleteArrayInput optionText="label" filterToQuery={byText} label={label} helperText="Nom, code INSEE, n° de département ou code postal" />
    </ReferenceArrayInput>
  );
}

export function TerritoryInput({ source = 'territory', label }: { source?: string; label?: string }) {
  return (
    <ReferenceInput source={source} reference="territories" perPage={20}>
      <AutocompleteInput optionText="label" filterToQuery={byText} label={label} />
    </ReferenceInput>
  );
}
