import DownloadIcon from '@mui/icons-material/Download';
import {
  BulkActionsToolbar,
  BulkDeleteButton,
  Button,
  CreateButton,
  DataTable,
  DateField,
  FilterButton,
  List,
  ReferenceArrayField,
  SelectAllButton,
  SimpleList,
  TopToolbar,
  useCanAccess,
  useListContext,
  useRecordContext,
} from 'react-admin';
import { Box, Link } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { download } from '../common/download';
import { CompactChips, ReferenceChips } from '../common/CompactChips';
import { useThemeTree } from '../common/themes';
import { usePhone } from '../common/usePhone';
import { VocabularyField } from '../common/vocabulary';
import { BulkAddToListButton, contactsCount } from './BulkAddToListButton';
import { RestoredFiltersNotice, useRestoredFilters } from '../common/RestoredFilters';
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
    <Button label="Exporter (CSV)" aria-label="Exporter (CSV)" disabled={!total} onClick={() => download('/contacts/export.csv', { filter: filterValues })}>
      <DownloadIcon />
    </Button>
  );
}

function ThemeCell() {
  const record = useRecordContext<Contact>();
  const { nodes } = useThemeTree();
  const themes = record?.themes ?? [];
  return <CompactChips labels={nodes.filter((n) => themes.includes(n.id)).map((n) => n.name)} />;
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

/** "Tout sélectionner" reaches past the page: a list of the network (up to ~2,100) fits. */
const SELECT_ALL_LIMIT = 2500;

/**
 * Rendered only with a selection: react-admin's collapsed toolbar keeps its buttons (unselect,
 * select all, the actions) as invisible tab stops. Each action says how many contacts it touches.
 */
function BulkToolbar() {
  const { selectedIds } = useListContext();
  if (!selectedIds.length) return null;
  return (
    <BulkActionsToolbar selectAllButton={<SelectAllButton limit={SELECT_ALL_LIMIT} />}>
      <BulkTagButton />
      <BulkAddToListButton />
      <BulkDeleteButton mutationMode="pessimistic" label={`Supprimer ${contactsCount(selectedIds.length)}…`} />
    </BulkActionsToolbar>
  );
}

export function ContactList() {
  const { canAccess: canEdit } = useCanAccess({ resource: 'contacts', action: 'edit' });
  const restoredFilters = useRestoredFilters('contacts');
  const phone = usePhone();
  return (
    <List filters={contactFilters} actions={<ListActions />} sort={{ field: 'sortName', order: 'ASC' }} perPage={25}>
      <RestoredFiltersNotice restored={restoredFilters} />
      {phone ? (
        <SimpleList<Contact> primaryText={contactName} secondaryText={(c) => c.email} rowClick="show" />
      ) : (
        <DataTable
          rowClick="show"
          bulkActionButtons={canEdit ? <></> : false}
          bulkActionsToolbar={canEdit ? <BulkToolbar /> : false}
        >
          <DataTable.Col
            source="lastName"
            label="Nom"
            render={(c: Contact) => (
              // A real link: each row is reachable and opened with the keyboard.
              <Link component={RouterLink} to={`/contacts/${c.id}/show`} onClick={(e) => e.stopPropagation()} sx={{ display: 'inline-block', minWidth: 110 }}>
                {contactName(c)}
              </Link>
            )}
          />
          <DataTable.Col
            source="email"
            render={(c: Contact) => <Box sx={{ minWidth: 170, maxWidth: 260, overflowWrap: 'anywhere' }}>{c.email}</Box>}
          />
          <DataTable.Col source="function" disableSort cellSx={() => ({ maxWidth: 160 })}>
            <VocabularyField source="function" vocabulary="functions" />
          </DataTable.Col>
          <DataTable.Col source="organisations" disableSort>
            <ReferenceArrayField source="organisations" reference="organisations">
              <ReferenceChips<{ name: string }> text={(o) => o.name} max={1} />
            </ReferenceArrayField>
          </DataTable.Col>
          <DataTable.Col source="themes" disableSort>
            <ThemeCell />
          </DataTable.Col>
          <DataTable.Col source="territories" disableSort>
            <ReferenceArrayField source="territories" reference="territories">
              <ReferenceChips<{ label: string }> text={(t) => t.label} />
            </ReferenceArrayField>
          </DataTable.Col>
          <DataTable.Col source="updatedAt">
            <DateField source="updatedAt" locales="fr-FR" />
          </DataTable.Col>
        </DataTable>
      )}
    </List>
  );
}
