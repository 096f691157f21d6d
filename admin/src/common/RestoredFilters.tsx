import { Alert, Button } from '@mui/material';
import { useRef } from 'react';
import { useListContext, useStore, useTranslate } from 'react-admin';
import { useLocation } from 'react-router-dom';

type Filters = Record<string, unknown>;

/**
 * The filters and search react-admin restores from the previous visit when a list screen opens
 * without filters in its address (none otherwise). Read from react-admin's store at the screen's
 * first render, before <List> rewrites the address with them.
 */
export function useRestoredFilters(resource: string): Filters {
  const { search } = useLocation();
  const [stored] = useStore<{ filter?: Filters }>(`${resource}.listParams`);
  const restored = useRef<Filters | null>(null);
  restored.current ??= new URLSearchParams(search).has('filter') ? {} : (stored?.filter ?? {});
  return restored.current;
}

/** The same filters, whatever the order of their keys. */
const sameFilters = (a: Filters, b: Filters) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Says that the filters shown come from an earlier visit, with one "Tout effacer": filters must
 * not silently narrow a list. Gone as soon as the filters change.
 */
export function RestoredFiltersNotice({ restored }: { restored: Filters }) {
  const { filterValues, setFilters, resource } = useListContext();
  const translate = useTranslate();
  if (!Object.keys(restored).length || !sameFilters(filterValues ?? {}, restored)) return null;
  const described = Object.entries(filterValues as Record<string, unknown>).map(([key, value]) => {
    const label = translate(`resources.${resource}.fields.${key}`, { _: key });
    if (Array.isArray(value)) return `${label} (${value.length})`;
    return typeof value === 'string' ? `${label} « ${value} »` : label;
  });
  return (
    <Alert
      severity="info"
      role="status"
      sx={{ m: 1 }}
      action={
        <Button color="inherit" size="small" onClick={() => setFilters({}, {}, false)}>
          Tout effacer
        </Button>
      }
    >
      Filtres repris de votre dernière visite : {described.join(', ')}.
    </Alert>
  );
}
