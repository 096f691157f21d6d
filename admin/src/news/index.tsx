import {
  Create,
  CreateButton,
  DataTable,
  DateField,
  DateInput,
  Edit,
  FilterButton,
  List,
  ReferenceField,
  ReferenceInput,
  SearchInput,
  SelectInput,
  SimpleForm,
  TextField,
  TopToolbar,
} from 'react-admin';
import { ThemeArrayInput } from '../common/themes';
import { NewsImportButton } from './NewsImportButton';
import { NewsCreateToolbar, NewsInputs } from './NewsInputs';

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <ReferenceInput key="category" source="category" reference="news-categories" sort={{ field: 'order', order: 'ASC' }} perPage={100} alwaysOn>
    <SelectInput optionText="label" />
  </ReferenceInput>,
  <DateInput key="gte" source="publishedAt_gte" alwaysOn />,
  <DateInput key="lte" source="publishedAt_lte" alwaysOn />,
  <ThemeArrayInput key="themes" source="themes" />,
];

const firstOfMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth(), 1)).toISOString().slice(0, 10);
};

const editable = ({ title, url, imageUrl, summary, publishedAt, category, themes, territories }: Record<string, unknown>) => ({
  title,
  url: url || null,
  imageUrl: imageUrl || null,
  summary: summary ?? '',
  publishedAt: publishedAt ? String(publishedAt).slice(0, 10) : undefined,
  category,
  themes,
  territories,
});

function NewsList() {
  return (
    <List
      filters={filters}
      filterDefaultValues={{ publishedAt_gte: firstOfMonth() }}
      sort={{ field: 'publishedAt', order: 'DESC' }}
      actions={
        <TopToolbar>
          <FilterButton />
          <CreateButton />
          <NewsImportButton />
        </TopToolbar>
      }
    >
      <DataTable rowClick="edit">
        <DataTable.Col source="publishedAt">
          <DateField source="publishedAt" locales="fr-FR" />
        </DataTable.Col>
        <DataTable.Col source="title" />
        <DataTable.Col source="category" disableSort>
          <ReferenceField source="category" reference="news-categories" link={false}>
            <TextField source="label" />
          </ReferenceField>
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

function NewsCreate() {
  return (
    <Create redirect="list" transform={editable}>
      <SimpleForm toolbar={<NewsCreateToolbar />}>
        <NewsInputs />
      </SimpleForm>
    </Create>
  );
}

function NewsEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={editable}>
      <SimpleForm>
        <NewsInputs />
      </SimpleForm>
    </Edit>
  );
}

export default { list: NewsList, create: NewsCreate, edit: NewsEdit };
