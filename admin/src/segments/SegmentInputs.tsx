import { Alert, Box, List as MuiList, ListItem, ListItemText, Typography } from '@mui/material';
import { AutocompleteArrayInput, ReferenceArrayInput, required, SelectArrayInput, TextInput, useGetList } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import { VocabularyArrayInput } from '../common/vocabulary';
import { contactName, MEMBERSHIP_STATES, SUBSCRIPTION_STATES, type Contact } from '../contacts/contactModel';

/** Drops empty criteria: the API's strict filter wants only what is set. */
export function cleanFilter(filter: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length)));
}

/** The live count and the first matching contacts, as the filter is being built. */
function LivePreview() {
  const filter = cleanFilter(useWatch({ name: 'filter' }));
  const { data, total, error, isPending } = useGetList<Contact>('contacts', { filter, pagination: { page: 1, perPage: 10 }, sort: { field: 'sortName', order: 'ASC' } });
  if (error) return <Alert severity="error">{(error as Error).message}</Alert>;
  return (
    <Box aria-live="polite">
      <Typography variant="h6" component="h2">
        {isPending ? 'Calcul…' : `${total ?? 0} contact(s) correspondent`}
      </Typography>
      <MuiList dense aria-label="Aperçu des contacts du segment">
        {(data ?? []).map((c) => (
          <ListItem key={c.id}>
            <ListItemText primary={contactName(c)} secondary={c.email} />
          </ListItem>
        ))}
      </MuiList>
    </Box>
  );
}

export function SegmentInputs() {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '2fr 1fr' }, gap: 3, width: '100%' }}>
      <Box>
        <TextInput source="name" validate={required()} fullWidth />
        <TextInput source="description" multiline fullWidth />
        <Typography variant="h6" component="h2">
          Critères
        </Typography>
        <TextInput source="filter.q" label="Texte (nom, e-mail, organisation…)" fullWidth />
        <ThemeArrayInput source="filter.themes" label="Thèmes (un thème inclut ses sous-thèmes)" fullWidth />
        <TerritoryArrayInput source="filter.territories" label="Territoires (un département inclut ses communes)" />
        <VocabularyArrayInput source="filter.organisationTypes" label="Types d’organisation" vocabulary="organisation-types" autocomplete />
        <VocabularyArrayInput source="filter.functions" label="Fonctions" vocabulary="functions" autocomplete />
        <VocabularyArrayInput source="filter.dispositifs" label="Dispositifs" vocabulary="dispositifs" />
        <ReferenceArrayInput source="filter.lists" reference="lists">
          <AutocompleteArrayInput optionText="name" label="Listes" />
        </ReferenceArrayInput>
        <SelectArrayInput source="filter.subscriptionStatus" label="État de l’abonnement" choices={SUBSCRIPTION_STATES} />
        <SelectArrayInput source="filter.membership" label="Adhésion" choices={MEMBERSHIP_STATES} />
      </Box>
      <LivePreview />
    </Box>
  );
}
