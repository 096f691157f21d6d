import { DateInput, ReferenceInput, required, SaveButton, SelectInput, TextInput, Toolbar, useNotify } from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import { formatNumber, today } from '../common/format';

const SUMMARY_MAX = 5000;

/** The summary with its length as it is typed ("312 / 5 000 caractères"). */
function SummaryInput() {
  const summary = (useWatch({ name: 'summary' }) as string | undefined) ?? '';
  return (
    <TextInput
      source="summary"
      multiline
      minRows={4}
      fullWidth
      helperText={`${formatNumber(summary.length)} / ${formatNumber(SUMMARY_MAX)} caractères`}
      slotProps={{ htmlInput: { maxLength: SUMMARY_MAX } }}
    />
  );
}

/** Quick entry of several items in a row: saved, the form empties but keeps the category and date. */
export function NewsCreateToolbar() {
  const notify = useNotify();
  const { reset, getValues } = useFormContext();
  return (
    <Toolbar sx={{ gap: 2 }}>
      <SaveButton />
      <SaveButton
        type="button"
        variant="outlined"
        label="Enregistrer et ajouter une autre"
        mutationOptions={{
          onSuccess: () => {
            const { category, publishedAt } = getValues();
            reset({ category, publishedAt, title: '', url: '', imageUrl: '', summary: '', themes: [], territories: [] });
            notify('Actualité enregistrée : saisissez la suivante.', { type: 'success' });
            window.scrollTo(0, 0);
          },
        }}
      />
    </Toolbar>
  );
}

/** Quick entry: title, link, category and date are enough; the rest qualifies the item. */
export function NewsInputs() {
  return (
    <>
      <TextInput source="title" validate={required()} fullWidth />
      <TextInput source="url" type="url" fullWidth />
      <ReferenceInput source="category" reference="news-categories" sort={{ field: 'order', order: 'ASC' }} perPage={100}>
        <SelectInput optionText="label" validate={required()} />
      </ReferenceInput>
      <DateInput source="publishedAt" defaultValue={today()} />
      <SummaryInput />
      <TextInput source="imageUrl" type="url" fullWidth helperText="Adresse web d'une image illustrant l'actualité (https://…), facultative" />
      <ThemeArrayInput fullWidth />
      <TerritoryArrayInput />
    </>
  );
}
