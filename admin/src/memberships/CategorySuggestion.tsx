import { Typography } from '@mui/material';
import { useEffect } from 'react';
import { useFormContext, useWatch } from 'react-hook-form';
import { useApi } from '../common/useApi';
import { labelOf, useVocabulary } from '../common/vocabulary';

/**
 * While creating a membership: the category suggested for the chosen organisation (its type and
 * population) or person, filled in unless staff already chose one.
 */
export function CategorySuggestion() {
  const [organisation, contact] = useWatch({ name: ['organisation', 'contact'] }) as [string | undefined, string | undefined];
  const { setValue, getFieldState } = useFormContext();
  const query = organisation ? `organisation=${organisation}` : contact ? `contact=${contact}` : undefined;
  const { data } = useApi<{ category: string; reason: string }>(query ? `/memberships/suggested-category?${query}` : undefined);
  const { choices } = useVocabulary('membership-categories');
  const suggestion = query ? data : undefined;
  useEffect(() => {
    if (suggestion && !getFieldState('category').isDirty) setValue('category', suggestion.category);
  }, [suggestion, getFieldState, setValue]);
  if (!suggestion) return null;
  return (
    <Typography variant="body2" color="text.secondary" role="status" sx={{ mb: 1 }}>
      Catégorie suggérée : {labelOf(choices, suggestion.category)} ({suggestion.reason}).
    </Typography>
  );
}
