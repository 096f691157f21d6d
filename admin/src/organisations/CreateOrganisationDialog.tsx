import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { Form, required, TextInput, useCreate, useCreateSuggestionContext, useNotify } from 'react-admin';
import { TerritoryInput } from '../common/territories';
import { VocabularySelectInput } from '../common/vocabulary';

type Values = { name: string; type: string; territory?: string | null };

/**
 * Offered by an organisation autocomplete when the typed name is not found: the organisation is
 * created with its name, type and territory, then picked.
 */
export function CreateOrganisationDialog() {
  const { filter, onCancel, onCreate } = useCreateSuggestionContext();
  const [create, { isPending }] = useCreate();
  const notify = useNotify();
  const submit = (values: Record<string, unknown>) => {
    const { name, type, territory } = values as Values;
    create(
      'organisations',
      { data: { name, type, territory: territory || null } },
      {
        onSuccess: (organisation) => {
          notify(`Organisation « ${organisation.name} » créée.`, { type: 'success' });
          onCreate(organisation);
        },
        onError: (error) => notify((error as Error).message, { type: 'error' }),
      },
    );
  };
  return (
    <Dialog open onClose={onCancel} aria-labelledby="create-organisation-title" fullWidth maxWidth="sm">
      {/* The dialog's form must not submit the contact form around it (React events cross portals). */}
      <div onSubmit={(e) => e.stopPropagation()}>
        <Form onSubmit={submit} defaultValues={{ name: filter ?? '' }}>
          <DialogTitle id="create-organisation-title">Nouvelle organisation</DialogTitle>
          <DialogContent>
            <TextInput source="name" label="Nom de l’organisation" validate={required()} fullWidth />
            <VocabularySelectInput source="type" label="Type d’organisation" vocabulary="organisation-types" validate={required()} fullWidth />
            <TerritoryInput source="territory" label="Territoire" />
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={onCancel}>Annuler</MuiButton>
            <MuiButton type="submit" variant="contained" disabled={isPending}>
              Créer l’organisation
            </MuiButton>
          </DialogActions>
        </Form>
      </div>
    </Dialog>
  );
}
