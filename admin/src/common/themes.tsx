import { useMemo } from 'react';
import { AutocompleteArrayInput, useGetList, type AutocompleteArrayInputProps } from 'react-admin';

export type Theme = { id: string; code: string; name: string; parent: string | null; ancestors: string[]; order: number };

/** Every theme in tree order (parents before children, siblings by order), with its depth and full path. */
export function useThemeTree() {
  const { data, isPending } = useGetList<Theme>(
    'themes',
    { pagination: { page: 1, perPage: 1000 }, sort: { field: 'order', order: 'ASC' } },
    { staleTime: 60_000 },
  );
  const nodes = useMemo(() => orderTree(data ?? []), [data]);
  return { nodes, isPending };
}

export function orderTree(themes: Theme[]): (Theme & { depth: number; path: string })[] {
  const children = new Map<string | null, Theme[]>();
  for (const t of themes) children.set(t.parent ?? null, [...(children.get(t.parent ?? null) ?? []), t]);
  const known = new Set(themes.map((t) => t.id));
  const out: (Theme & { depth: number; path: string })[] = [];
  const visit = (parent: string | null, depth: number, prefix: string) => {
    for (const t of (children.get(parent) ?? []).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name, 'fr'))) {
      const path = prefix ? `${prefix} › ${t.name}` : t.name;
      out.push({ ...t, depth, path });
      visit(t.id, depth + 1, path);
    }
  };
  visit(null, 0, '');
  // orphans (parent not loaded) still appear
  for (const t of themes) if (t.parent && !known.has(t.parent) && !out.some((o) => o.id === t.id)) out.push({ ...t, depth: 0, path: t.name });
  return out;
}

/** Themes picked in the tree: options show their full path ("Santé mentale › Psychiatrie"). */
export function ThemeArrayInput(props: Omit<AutocompleteArrayInputProps, 'source'> & { source?: string }) {
  const { nodes, isPending } = useThemeTree();
  const choices = useMemo(() => nodes.map((n) => ({ id: n.id, name: n.path })), [nodes]);
  return <AutocompleteArrayInput source="themes" {...props} choices={choices} isPending={isPending} />;
}
