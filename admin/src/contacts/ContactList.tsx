import DownloadIcon from '@mui/icons-material/Download';
import {
  BulkDeleteButton,
  Button,
  ChipField,
  CreateButton,
  DataTable,
  DateField,
  FilterButton,
  List,
  ReferenceArrayField,
  SingleFieldList,
  TopToolbar,
  useCanAccess,
  useListContext,
} from 'react-admin';
import { Link } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { download } from '../common/download';
import { ThemeChips } from './ContactShow';
import { VocabularyField } from '../common/vocabulary';
import { BulkAddToListButton } from './BulkAddToListButton';
import { BulkTagButton } from './BulkTagButton';
import { SaveAsSegmentButton } from './SaveAsSegmentButton';
import { contactFilters } from './contactFilters';
import { contactName, type Contact } from './contactModel';

/** Downloads the contacts matching the current filters, as CSV (streamed by the API). */
function ExportCsvButton() {
  const { filterValues, total } = useListContext();
  const { canAccess } = useCanAccess({ resource: 'contacts', action: 'export' });
  if (!canAccess) return null;
  return (
    <Button label="Exporter (CSV)" disabled={!total} onClick={() => download('/contacts/export.csv', { filter: filterValues })}>
      <DownloadIcon />
    </Button>
  );
}

function ListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
      <ExportCsvButton />
      <SaveAsSegmentButton />
    </TopToolbar>
  );
}

/** Rendered only with a selection: hidden buttons would still be tab stops. */
function BulkActions() {
  const { selectedIds } = useListContext();
  if (!selectedIds.length) return null;
  return (
    <>
      <BulkTagButton />
      <BulkAddToListButton />
      <BulkDeleteButton mutationMode="pessimistic" />
    </>
  );
}

export function ContactList() {
  const { canAccess: canEdit } = useCanAccess({ resource: 'contacts', action: 'edit' });
  return (
    <List filters={contactFilters} actions={<ListActions />} sort={{ field: 'sortName', order: 'ASC' }} perPage={25}>
      <DataTable rowClick="show" bulkActionButtons={canEdit ? <BulkActions /> : false}>
        <DataTable.Col
          source="lastName"
          label="Nom"
          render={(c: Contact) => (
            // A real link: each row is reachable and opened with the keyboard.
            <Link component={RouterLink} to={`/contacts/${c.id}/show`} onClick={(e) => e.stopPropagation()}>
              {contactName(c)}
            </Link>
          )}
        />
        <DataTable.Col source="email" />
        <DataTable.Col source="function" disableSort>
          <VocabularyField source="function" vocabulary="functions" />
        </DataTable.Col>
        <DataTable.Col source="organisations" disableSort>
          <ReferenceArrayField source="organisations" reference="organisations">
            <SingleFieldList linkType={false}>
              <ChipField source="name" size="small" />
            </SingleFieldList>
          </ReferenceArrayField>
        </DataTable.Col>
        <DataTable.Col source="themes" disableSort>
          <ThemeChips />
        </DataTable.Col>
        <DataTable.Col source="territories" disableSort>
          <ReferenceArrayField source="territories" reference="territories">
            <SingleFieldList linkType={false}>
              <ChipField source="label" size="small" />
            </SingleFieldList>
          </ReferenceArrayField>
        </DataTable.Col>
        <DataTable.Col source="updatedAt">
          <DateField source="updatedAt" locales="fr-FR" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
