import { Typography } from '@mui/material';
import { BooleanInput, FormDataConsumer, RadioButtonGroupInput, ReferenceInput, AutocompleteInput, required, SelectInput, SimpleForm, TextInput, useGetList } from 'react-admin';
import { BASIS_LABELS } from '../mailings/mailingModel';
import { MarkdownEditor } from './MarkdownEditor';

const BASES = Object.entries(BASIS_LABELS).map(([id, name]) => ({ id, name }));

const MARKDOWN_HELP =
  "Markdown (ou la barre d'outils) : # Titre, **gras**, [texte du lien](https://…), listes « - », image ![description](https://…), bouton [[Texte du bouton]](https://…) seul sur sa ligne. Champs personnels : {{prenom}}, {{nom}}, {{organisation}}, avec une valeur par défaut : {{prenom|chère collègue}}.";

/** Consent and members' lists (the legitimate-interest list is chosen through the basis). */
function ConsentListInput() {
  const { data } = useGetList<{ id: string; name: string; legalBasis: string }>('lists', { filter: { active: true }, pagination: { page: 1, perPage: 100 }, sort: { field: 'order', order: 'ASC' } });
  const choices = (data ?? []).filter((l) => l.legalBasis !== 'legitimate-interest');
  return <SelectInput source="list" label="Liste" choices={choices} validate={required()} helperText="Seul·es les abonné·es confirmé·es de la liste recevront le message." />;
}

/** The fields of a campaign, for creating and editing a draft. */
export function CampaignForm({ defaultValues }: { defaultValues?: Record<string, unknown> }) {
  return (
    <SimpleForm defaultValues={defaultValues}>
      <TextInput source="subject" label="Objet" validate={required()} fullWidth helperText="Peut contenir {{prenom}}." />
      <TextInput source="preheader" label="Texte d'aperçu (affiché après l'objet dans la boîte de réception)" fullWidth />
      <TextInput source="fromName" label="Nom de l'expéditeur" helperText="Par défaut : le nom de l'association." />
      <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
        Destinataires
      </Typography>
      <RadioButtonGroupInput source="basis" label="Base légale" choices={BASES} validate={required()} row={false} />
      <FormDataConsumer>{({ formData }) => (formData.basis === 'consent' ? <ConsentListInput /> : null)}</FormDataConsumer>
      <ReferenceInput source="segment" reference="segments">
        <AutocompleteInput label="Segment (facultatif)" optionText="name" helperText="Restreint les destinataires aux contacts du segment." />
      </ReferenceInput>
      <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
        Message
      </Typography>
      <MarkdownEditor helperText={MARKDOWN_HELP} />
      <BooleanInput source="publish" label="Publier dans les archives (version web sans lien personnel)" />
    </SimpleForm>
  );
}

/** What the API takes: the list only under the consent basis. */
export function campaignBody({ subject, preheader, fromName, body, basis, list, segment, publish }: Record<string, unknown>) {
  return { subject, preheader: preheader ?? '', fromName: fromName ?? '', body: body ?? '', basis, ...(basis === 'consent' ? { list } : {}), segment: segment || null, publish: Boolean(publish) };
}
