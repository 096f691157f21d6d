import { DateInput, ReferenceInput, required, SelectInput, TextInput } from 'react-admin';
import { ThemeArrayInput } from '../common/themes';
import { TerritoryArrayInput } from '../common/territories';
import { today } from '../common/format';

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
      <TextInput source="summary" multiline minRows={3} fullWidth />
      <ThemeArrayInput fullWidth />
      <TerritoryArrayInput />
    </>
  );
}
