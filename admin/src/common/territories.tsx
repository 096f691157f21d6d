import { AutocompleteArrayInput, AutocompleteInput, ReferenceArrayInput, ReferenceInput } from 'react-admin';

const byText = (q: string) => ({ q });

type TerritoryRecord = { kind: string; code: string; name: string; label: string; parents?: string[] };

/**
 * What a picker shows: each entry says what it is, so that "93" is not ambiguous.
 * "Seine-Saint-Denis (département 93)", "Provence-Alpes-Côte d'Azur (région 93)",
 * "Saint-Denis (commune, 93)", "Plaine Commune (intercommunalité, 93)".
 */
export function territoryOptionText(t: TerritoryRecord | undefined): string {
  if (!t) return '';
  const departement = t.parents?.find((p) => p.startsWith('departement-'))?.slice('departement-'.length);
  const within = departement ? `, ${departement}` : '';
  switch (t.kind) {
    case 'region':
      return `${t.name} (région ${t.code})`;
    case 'departement':
      return `${t.name} (département ${t.code})`;
    case 'epci':
      return `${t.name} (intercommunalité${within})`;
    case 'commune':
      return `${t.name} (commune${within})`;
    default:
      return t.label ?? t.name;
  }
}

/** Territories found by name, INSEE code, département number or postal code (the API's search). */
export function TerritoryArrayInput({ source = 'territories', label, alwaysOn }: { source?: string; label?: string; alwaysOn?: boolean }) {
  return (
    <ReferenceArrayInput source={source} reference="territories" perPage={20} alwaysOn={alwaysOn}>
      <AutocompleteArrayInput optionText={territoryOptionText} filterToQuery={byText} label={label} helperText="Nom, code INSEE, n° de département ou code postal" />
    </ReferenceArrayInput>
  );
}

export function TerritoryInput({ source = 'territory', label }: { source?: string; label?: string }) {
  return (
    <ReferenceInput source={source} reference="territories" perPage={20}>
      <AutocompleteInput optionText={territoryOptionText} filterToQuery={byText} label={label} />
    </ReferenceInput>
  );
}
