import { useMemo } from 'react';
import { AutocompleteArrayInput, SelectArrayInput, SelectInput, useGetList, useRecordContext, type SelectInputProps } from 'react-admin';

/** The API's lists of allowed values (`/api/functions`, `/api/organisation-types`, ...), as choices keyed by code. */
export function useVocabulary(resource: string) {
  const { data, isPending } = useGetList<{ id: string; code: string; label: string; active: boolean }>(
    resource,
    { pagination: { page: 1, perPage: 500 }, sort: { field: 'order', order: 'ASC' } },
    { staleTime: 5 * 60_000 },
  );
  const choices = useMemo(() => (data ?? []).map((v) => ({ id: v.code, name: v.label })), [data]);
  return { choices, isPending };
}

export function labelOf(choices: { id: string; name: string }[], code: unknown): string {
  return choices.find((c) => c.id === code)?.name ?? (code == null ? '' : String(code));
}

type VocabularyInputProps = Omit<SelectInputProps, 'source' | 'choices'> & { source: string; vocabulary: string };

export function VocabularySelectInput({ vocabulary, ...props }: VocabularyInputProps) {
  const { choices, isPending } = useVocabulary(vocabulary);
  return <SelectInput {...props} choices={choices} isPending={isPending} />;
}

export function VocabularyArrayInput({ vocabulary, autocomplete = false, ...props }: VocabularyInputProps & { autocomplete?: boolean }) {
  const { choices, isPending } = useVocabulary(vocabulary);
  const { source, label, alwaysOn, validate, helperText } = props;
  const common = { source, label, alwaysOn, validate, helperText, choices, isPending };
  if (autocomplete) return <AutocompleteArrayInput {...common} />;
  return <SelectArrayInput {...common} />;
}

/** A code of the record shown with its label. */
export function VocabularyField({ source, vocabulary }: { source: string; vocabulary: string; label?: string }) {
  const record = useRecordContext();
  const { choices, isPending } = useVocabulary(vocabulary);
  const value = record?.[source];
  // Nothing until the labels are there: a code must never flash on screen.
  if (value == null || value === '' || isPending) return null;
  const text = Array.isArray(value) ? value.map((v) => labelOf(choices, v)).join(', ') : labelOf(choices, value);
  return <span>{text}</span>;
}
