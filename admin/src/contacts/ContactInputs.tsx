import { Alert, Box, Link, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import {
  AutocompleteArrayInput,
  email,
  ReferenceArrayInput,
  required,
  SelectInput,
  TextArrayInput,
  TextInput,
  useDataProvider,
  useRecordContext,
} from 'react-admin';
import { useWatch } from 'react-hook-form';
import { Link as RouterLink } from 'react-router-dom';
import { CreateOrganisationDialog } from '../organisations/CreateOrganisationDialog';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import { VocabularyArrayInput, VocabularySelectInput } from '../common/vocabulary';
import { contactName, type Contact } from './contactModel';

const CIVILITY_CHOICES = [
  { id: 'madame', name: 'Madame' },
  { id: 'monsieur', name: 'Monsieur' },
];

/** Warns, while the e-mail is typed, when another contact already has that address. */
function DuplicateWarning() {
  const record = useRecordContext<Contact>();
  const value = (useWatch({ name: 'email' }) as string | undefined)?.trim().toLowerCase();
  const dataProvider = useDataProvider();
  const [duplicate, setDuplicate] = useState<Contact | undefined>();
  useEffect(() => {
    if (!value || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return setDuplicate(undefined);
    let cancelled = false;
    const timer = setTimeout(async () => {
      const { data } = await dataProvider.getList<Contact>('contacts', {
        filter: { q: value },
        pagination: { page: 1, perPage: 5 },
        sort: { field: 'sortName', order: 'ASC' },
      });
      const same = data.find((c) => c.id !== record?.id && (c.email === value || c.emails?.includes(value)));
      if (!cancelled) setDuplicate(same);
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [value, record?.id, dataProvider]);
  if (!duplicate) return null;
  return (
    <Alert severity="warning" role="status" sx={{ mb: 2 }}>
      Cette adresse appartient déjà à{' '}
      <Link component={RouterLink} to={`/contacts/${duplicate.id}/show`}>
        {contactName(duplicate)}
      </Link>
      . Modifiez plutôt cette fiche, ou fusionnez les deux.
    </Alert>
  );
}

/** Shared by create and edit. */
export function ContactInputs() {
  return (
    <Box sx={{ width: '100%', maxWidth: 900 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Identité
      </Typography>
      <Box sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', md: '160px 1fr 1fr' } }}>
        <SelectInput source="civility" choices={CIVILITY_CHOICES} emptyText="—" />
        <TextInput source="firstName" />
        <TextInput source="lastName" />
      </Box>
      <TextInput source="email" type="email" validate={[required(), email()]} fullWidth />
      <DuplicateWarning />
      <Box sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
        <TextArrayInput source="emails" helperText="Entrée après chaque adresse" />
        <TextArrayInput source="phones" helperText="Entrée après chaque numéro" />
      </Box>
      <Typography variant="h6" component="h2" gutterBottom sx={{ mt: 2 }}>
        Activité
      </Typography>
      <Box sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
        <VocabularySelectInput source="function" vocabulary="functions" emptyText="—" />
        <TextInput source="functionLabel" helperText="Libellé libre, gardé par un import" />
        <ReferenceArrayInput source="organisations" reference="organisations" perPage={20}>
          <AutocompleteArrayInput
            optionText="name"
            filterToQuery={(q: string) => ({ q })}
            create={<CreateOrganisationDialog />}
            createItemLabel="Créer l’organisation « %{item} »"
          />
        </ReferenceArrayInput>
      </Box>
      <VocabularyArrayInput source="dispositifs" vocabulary="dispositifs" />
      <Typography variant="h6" component="h2" gutterBottom sx={{ mt: 2 }}>
        Qualification
      </Typography>
      <ThemeArrayInput fullWidth />
      <TerritoryArrayInput />
      <TextInput source="notes" multiline minRows={3} fullWidth />
      <TextArrayInput source="unresolvedLabels" helperText="Valeurs qu’un import n’a pas su classer : retirez-les une fois la fiche qualifiée" />
    </Box>
  );
}
