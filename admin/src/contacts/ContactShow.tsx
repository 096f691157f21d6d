import {
  ChipField,
  DataTable,
  DateField,
  EmailField,
  FunctionField,
  NumberField,
  ReferenceArrayField,
  ReferenceField,
  ReferenceManyField,
  SelectField,
  Show,
  SingleFieldList,
  TabbedShowLayout,
  TextField,
  useRecordContext,
} from 'react-admin';
import { Alert, Chip, Stack } from '@mui/material';
import { useThemeTree } from '../common/themes';
import { VocabularyField } from '../common/vocabulary';
import { ContactShowActions } from './ContactActions';
import { RecordHistory } from './ContactHistory';
import { CONTACT_SOURCE_CHOICES, contactName, SUBSCRIPTION_STATES, type Contact } from './contactModel';
import { ConsentField } from './ConsentField';
import { PAYMENT_STATUS_CHOICES } from '../memberships/membershipModel';
import { SOLICITATION_STATUS_CHOICES } from '../solicitations/solicitationModel';

function ContactTitle() {
  const record = useRecordContext<Contact>();
  return <span>{record ? contactName(record) : ''}</span>;
}

export function ThemeChips() {
  const record = useRecordContext<Contact>();
  const { nodes } = useThemeTree();
  if (!record?.themes?.length) return null;
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
      {nodes.filter((n) => record.themes.includes(n.id)).map((n) => <Chip key={n.id} label={n.path} size="small" />)}
    </Stack>
  );
}

function ErasedNotice() {
  const record = useRecordContext<Contact>();
  if (!record?.erasedAt) return null;
  return <Alert severity="info">Données personnelles effacées le {new Date(record.erasedAt).toLocaleDateString('fr-FR')} (RGPD).</Alert>;
}

export function ContactShow() {
  return (
    <Show actions={<ContactShowActions />} title={<ContactTitle />}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="Fiche">
          <ErasedNotice />
          <FunctionField label="Nom" render={(c: Contact) => contactName(c)} />
          <EmailField source="email" />
          <FunctionField source="emails" render={(c: Contact) => c.emails?.join(', ')} />
          <FunctionField source="phones" render={(c: Contact) => c.phones?.join(', ')} />
          <VocabularyField source="function" vocabulary="functions" />
          <TextField source="functionLabel" emptyText="—" />
          <ReferenceArrayField source="organisations" reference="organisations">
            <SingleFieldList linkType="show">
              <ChipField source="name" />
            </SingleFieldList>
          </ReferenceArrayField>
          <VocabularyField source="dispositifs" vocabulary="dispositifs" />
          <FunctionField source="themes" render={() => <ThemeChips />} />
          <ReferenceArrayField source="territories" reference="territories">
            <SingleFieldList linkType={false}>
              <ChipField source="label" />
            </SingleFieldList>
          </ReferenceArrayField>
          <TextField source="notes" />
          <FunctionField source="unresolvedLabels" render={(c: Contact) => (c.unresolvedLabels?.length ? c.unresolvedLabels.join(' · ') : '—')} />
          <SelectField source="source" choices={CONTACT_SOURCE_CHOICES} />
          <DateField source="createdAt" showTime locales="fr-FR" />
          <DateField source="updatedAt" showTime locales="fr-FR" />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Abonnements" path="abonnements">
          <ReferenceManyField reference="subscriptions" target="contact" label={false}>
            <DataTable bulkActionButtons={false} rowClick="edit">
              <DataTable.Col source="list" label="Liste">
                <ReferenceField source="list" reference="lists" link={false} />
              </DataTable.Col>
              <DataTable.Col source="status" label="État">
                <SelectField source="status" choices={SUBSCRIPTION_STATES} />
              </DataTable.Col>
              <DataTable.Col source="consent" label="Preuve du consentement">
                <ConsentField />
              </DataTable.Col>
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Adhésions" path="adhesions">
          <ReferenceManyField reference="memberships" target="contact" label={false} sort={{ field: 'year', order: 'DESC' }}>
            <DataTable bulkActionButtons={false} rowClick="edit">
              <DataTable.Col source="year" label="Année" />
              <DataTable.Col source="category" label="Catégorie">
                <VocabularyField source="category" vocabulary="membership-categories" />
              </DataTable.Col>
              <DataTable.Col source="fee" label="Cotisation">
                <NumberField source="fee" options={{ style: 'currency', currency: 'EUR' }} locales="fr-FR" />
              </DataTable.Col>
              <DataTable.Col source="paymentStatus" label="Paiement">
                <SelectField source="paymentStatus" choices={PAYMENT_STATUS_CHOICES} />
              </DataTable.Col>
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Sollicitations" path="sollicitations">
          <ReferenceManyField reference="solicitations" target="requester" label={false} sort={{ field: 'receivedAt', order: 'DESC' }}>
            <DataTable bulkActionButtons={false} rowClick="edit">
              <DataTable.Col source="receivedAt" label="Reçue le">
                <DateField source="receivedAt" locales="fr-FR" />
              </DataTable.Col>
              <DataTable.Col source="type" label="Type">
                <VocabularyField source="type" vocabulary="solicitation-types" />
              </DataTable.Col>
              <DataTable.Col source="status" label="État">
                <SelectField source="status" choices={SOLICITATION_STATUS_CHOICES} />
              </DataTable.Col>
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Historique" path="historique">
          <RecordHistory resource="contacts" />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  );
}

