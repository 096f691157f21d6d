import { useMemo } from 'react';
import { AutocompleteInput, NumberInput, regex, required, TextInput, useRecordContext } from 'react-admin';
import { useThemeTree } from '../common/themes';

/** A theme cannot be moved under itself or one of its descendants. */
function ParentInput() {
  const record = useRecordContext<{ id: string }>();
  const { nodes, isPending } = useThemeTree();
  const choices = useMemo(
    () => nodes.filter((n) => !record || (n.id !== record.id && !n.ancestors.includes(record.id))).map((n) => ({ id: n.id, name: n.path })),
    [nodes, record],
  );
  return <AutocompleteInput source="parent" choices={choices} isPending={isPending} emptyText="(racine)" parse={(v) => v || null} />;
}

export function ThemeInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="code" validate={[required(), regex(/^[a-z0-9-]+$/, 'Minuscules, chiffres et tirets uniquement.')]} />
      <ParentInput />
      <NumberInput source="order" />
    </>
  );
}
