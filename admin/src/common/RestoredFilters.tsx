import { Alert, Button } from '@mui/material';
import { useRef } from 'react';
import { useListContext, useTranslate } from 'react-admin';
import { useLocation } from 'react-router-dom';

/**
 * Whether a list screen was opened without filters in its address: react-admin then restores the
 * filters and search of the previous visit. To be called by the list screen, before <List>
 * rewrites the address with the restored filters.
 */
export function useOpenedWithoutFilters(): boolean {
  const { search } = useLocation();
  const opened = useRef<boolean | null>(null);
  opened.current ??= !new URLSearchParams(search).has('filter');
  return opened.current;
}

/**
 * Says that the filters shown come from an earlier visit, with one "Tout effacer": filters must
 * not silently narrow a list. Gone as soon as the filters change.
 */
export function RestoredFiltersNotice({ openedWithoutFilters }: { openedWithoutFilters: boolean }) {
  const { filterValues, setFilters, resource } = useListContext();
  const translate = useTranslate();
  const restored = useRef<string | null>(null);
  restored.current ??= openedWithoutFilters ? JSON.stringify(filterValues ?? {}) : '{}';
  if (restored.current === '{}' || JSON.stringify(filterValues) !== restored.current) return null;
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
