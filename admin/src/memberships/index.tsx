import {
  AutocompleteInput,
  Create,
  DataTable,
  DateField,
  Edit,
  FunctionField,
  List,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  required,
  SelectField,
  SelectInput,
  SimpleForm,
  SimpleList,
  TextInput,
} from 'react-admin';
import { labelOf, useVocabulary, VocabularyArrayInput, VocabularyField, VocabularySelectInput } from '../common/vocabulary';
import { usePhone } from '../common/usePhone';
import { contactName, type Contact } from '../contacts/contactModel';
import { PAYMENT_STATUS_CHOICES, type Membership } from './membershipModel';
import { PaymentButton } from './PaymentButton';
import { CategorySuggestion } from './CategorySuggestion';
import { DocumentLinks, MembershipDocuments } from './MembershipDocuments';
import { formatEuros } from '../common/format';

const thisYear = new Date().getFullYear();
const YEARS = Array.from({ length: 8 }, (_, i) => ({ id: thisYear + 1 - i, name: String(thisYear + 1 - i) }));

const filters = [
  <SelectInput key="year" source="year" choices={YEARS} alwaysOn />,
  <SelectInput key="paymentStatus" source="paymentStatus" choices={PAYMENT_STATUS_CHOICES} alwaysOn />,
  <VocabularySelectInput key="category" source="category" vocabulary="membership-categories" />,
];

function Member() {
  return (
    <FunctionField
      render={(m: Membership) =>
        m.organisation ? (
          <ReferenceField source="organisation" reference="organisations" link="show" />
        ) : (
          <ReferenceField source="contact" reference="contacts" link="show" />
        )
      }
    />
  );
}

/** On a phone: the member, the category and amount, and whether it is paid. */
function PhoneList() {
  const { choices, isPending } = useVocabulary('membership-categories');
  // No category until its label is there: a code must never flash on screen.
  const category = (m: Membership) => (isPending ? '' : `${labelOf(choices, m.category)} · `);
  return (
    <SimpleList<Membership & { memberName?: string }>
      primaryText={(m) => m.memberName ?? ''}
      secondaryText={(m) => `${category(m)}${formatEuros(m.fee)}`}
      tertiaryText={(m) => labelOf(PAYMENT_STATUS_CHOICES, m.paymentStatus)}
      rowClick="edit"
    />
  );
}

/** Memberships of a year, unpaid first ("due" sorts before "paid" and "waived"). */
function MembershipList() {
  const phone = usePhone();
  return (
    <List filters={filters} filterDefaultValues={{ year: thisYear }} sort={{ field: 'paymentStatus', order: 'ASC' }}>
      {phone ? (
        <PhoneList />
      ) : (
        <DataTable rowClick="edit">
          <DataTable.Col label="Membre" disableSort>
            <Member />
          </DataTable.Col>
          <DataTable.Col source="year" />
          <DataTable.Col source="category">
            <VocabularyField source="category" vocabulary="membership-categories" />
          </DataTable.Col>
          <DataTable.Col source="fee" label="Cotisation" align="right">
            <FunctionField render={(m: Membership) => formatEuros(m.fee)} />
          </DataTable.Col>
          <DataTable.Col source="paymentStatus">
            <SelectField source="paymentStatus" choices={PAYMENT_STATUS_CHOICES} />
          </DataTable.Col>
          <DataTable.Col source="paidAt">
            <DateField source="paidAt" locales="fr-FR" />
          </DataTable.Col>
          <DataTable.Col label="Actions" disableSort>
            <PaymentButton />
            <DocumentLinks />
          </DataTable.Col>
        </DataTable>
      )}
    </List>
  );
}

const byText = (q: string) => ({ q });

function MembershipInputs({ create = false }: { create?: boolean }) {
  return (
    <>
      {create && (
        <ReferenceInput source="organisation" reference="organisations">
          <AutocompleteInput optionText="name" filterToQuery={byText} helperText="Une organisation (personne morale)…" />
        </ReferenceInput>
      )}
      {create && (
        <ReferenceInput source="contact" reference="contacts">
          <AutocompleteInput optionText={(c: Contact) => `${contactName(c)} <${c.email}>`} filterToQuery={byText} helperText="… ou une personne physique" />
        </ReferenceInput>
      )}
      <NumberInput source="year" defaultValue={thisYear} validate={required()} />
      {create && <CategorySuggestion />}
      <VocabularySelectInput source="category" vocabulary="membership-categories" validate={required()} />
      <NumberInput source="fee" helperText="Vide : le tarif de l'année pour cette catégorie, en euros" />
      <ReferenceInput source="representative" reference="contacts">
        <AutocompleteInput optionText={(c: Contact) => `${contactName(c)} <${c.email}>`} filterToQuery={byText} />
      </ReferenceInput>
      <VocabularyArrayInput source="boardRoles" vocabulary="board-roles" />
      <TextInput source="notes" multiline fullWidth />
    </>
  );
}

const editable = ({ year, category, fee, representative, boardRoles, notes }: Record<string, unknown>) => ({
  year,
  category,
  fee: fee ?? undefined,
  representative: representative || null,
  boardRoles,
  notes,
});

function MembershipCreate() {
  return (
    <Create redirect="list" transform={(d: Record<string, unknown>) => ({ ...editable(d), organisation: d.organisation || undefined, contact: d.contact || undefined, representative: d.representative || undefined })}>
      <SimpleForm>
        <MembershipInputs create />
      </SimpleForm>
    </Create>
  );
}

function MembershipEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list" transform={editable}>
      <SimpleForm>
        <Member />
        <MembershipDocuments />
        <MembershipInputs />
      </SimpleForm>
    </Edit>
  );
}

export default { list: MembershipList, create: MembershipCreate, edit: MembershipEdit };
