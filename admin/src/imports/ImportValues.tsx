import { Box, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useApi } from '../common/useApi';
import { SOURCE_LABELS, VALUE_FIELD_LABELS, type ImportDetails, type OrganisationRow, type ValueField, type ValueRow } from './importModel';

type Entry = { id: string; label: string };
type Catalog = Record<ValueField, Entry[]>;
export type Decisions = { values?: unknown[]; organisations?: unknown[] };

const listPath = (path: string, filter: Record<string, string> = {}) => `${path}?filter=${encodeURIComponent(JSON.stringify(filter))}&range=${encodeURIComponent('[0,499]')}`;

/** The managed lists a value can go to: functions, dispositifs, organisation types (codes) and themes (ids). */
function useCatalog(): Catalog | undefined {
  const vocabulary = (kind: string) => useApi<{ code: string; label: string }[]>(listPath('/vocabularies', { kind })).data; // eslint-disable-line react-hooks/rules-of-hooks
  const functions = vocabulary('functions');
  const dispositifs = vocabulary('dispositifs');
  const organisationTypes = vocabulary('organisationTypes');
  const themes = useApi<{ id: string; name: string }[]>(listPath('/themes')).data;
  const lists = useApi<{ id: string; name: string }[]>(listPath('/lists')).data;
  if (!functions || !dispositifs || !organisationTypes || !themes || !lists) return undefined;
  const entries = (list: { code: string; label: string }[]) => list.map((e) => ({ id: e.code, label: e.label }));
  return { function: entries(functions), dispositifs: entries(dispositifs), organisationType: entries(organisationTypes), themes: themes.map((t) => ({ id: t.id, label: t.name })), lists: lists.map((l) => ({ id: l.id, label: l.name })) };
}

/** A decision as one select value: `existing:<id>[,<id>]`, `create`, `text` or `ignore`. */
const choiceOf = (row: ValueRow) => (row.action === 'existing' ? `existing:${(row.targets ?? []).join(',')}` : row.action);

function ValueDecision({ row, catalog, onDecide, disabled }: { row: ValueRow; catalog: Catalog; onDecide: (d: Decisions) => void; disabled: boolean }) {
  const entries = catalog[row.field];
  const current = choiceOf(row);
  const combination = row.action === 'existing' && (row.targets?.length ?? 0) > 1;
  const decide = (choice: string, parent?: string | null) => {
    if (choice.startsWith('existing:')) return onDecide({ values: [{ field: row.field, value: row.value, action: 'existing', targets: choice.slice(9).split(',') }] });
    if (choice === 'create') return onDecide({ values: [{ field: row.field, value: row.value, action: 'create', label: row.value, parent: parent ?? null }] });
    onDecide({ values: [{ field: row.field, value: row.value, action: choice }] });
  };
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      <TextField
        select
        size="small"
        fullWidth={false}
        disabled={disabled}
        value={current}
        onChange={(e) => decide(e.target.value)}
        slotProps={{ htmlInput: { 'aria-label': `Décision pour « ${row.value} » (${VALUE_FIELD_LABELS[row.field]})` } }}
        sx={{ minWidth: 280 }}
      >
        {combination && <MenuItem value={current}>{row.targetLabels.join(' + ')}</MenuItem>}
        {entries.map((e) => (
          <MenuItem key={e.id} value={`existing:${e.id}`}>
            {e.label}
          </MenuItem>
        ))}
        {row.field !== 'lists' && <MenuItem value="create">Créer « {row.action === 'create' ? row.label : row.value} »</MenuItem>}
        <MenuItem value="text">Garder en texte libre (à classer)</MenuItem>
        <MenuItem value="ignore">Ignorer cette valeur</MenuItem>
      </TextField>
      {row.field === 'themes' && row.action === 'create' && (
        <TextField
          select
          size="small"
          fullWidth={false}
          disabled={disabled}
          value={row.parent ?? ''}
          onChange={(e) => decide('create', e.target.value || null)}
          slotProps={{ htmlInput: { 'aria-label': `Thème parent pour « ${row.value} »` } }}
          sx={{ minWidth: 220 }}
        >
          <MenuItem value="">Sans parent (premier niveau)</MenuItem>
          {catalog.themes.map((t) => (
            <MenuItem key={t.id} value={t.id}>
              Sous « {t.label} »
            </MenuItem>
          ))}
        </TextField>
      )}
    </Box>
  );
}

const decisionText = (row: ValueRow) =>
  row.action === 'existing' ? row.targetLabels.join(' + ') : row.action === 'create' ? `Nouvelle valeur « ${row.label} »` : row.action === 'text' ? 'Texte libre (à classer)' : 'Ignorée';

/** Step 2b: each distinct value of the function, themes, dispositifs and type columns, and what the import does with it. */
export function ImportValues({ doc, editable, disabled, onDecide }: { doc: ImportDetails; editable: boolean; disabled: boolean; onDecide: (d: Decisions) => void }) {
  const catalog = useCatalog();
  const values = doc.values ?? [];
  const fields = (Object.keys(VALUE_FIELD_LABELS) as ValueField[]).filter((f) => values.some((v) => v.field === f));
  return (
    <Box sx={{ my: 2 }}>
      {fields.length > 0 && (
        <Typography variant="h6" component="h2" gutterBottom>
          Valeurs trouvées dans le fichier
        </Typography>
      )}
      {fields.map((field) => (
        <Box key={field} sx={{ mb: 2 }}>
          <Typography variant="subtitle1" component="h3">
            {VALUE_FIELD_LABELS[field]}
          </Typography>
          <Table size="small" aria-label={`Valeurs : ${VALUE_FIELD_LABELS[field]}`}>
            <TableHead>
              <TableRow>
                <TableCell>Valeur du fichier</TableCell>
                <TableCell>Lignes</TableCell>
                <TableCell>Suggestion</TableCell>
                <TableCell>Décision</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {values
                .filter((v) => v.field === field)
                .map((row) => (
                  <TableRow key={row.key}>
                    <TableCell>{row.value}</TableCell>
                    <TableCell>{row.lines}</TableCell>
                    <TableCell>
                      {row.suggestion ? `${row.suggestion.labels.join(' + ')} (${row.suggestion.why})` : '—'}
                      {row.source !== 'suggestion' && row.source !== 'none' ? ` · ${SOURCE_LABELS[row.source]}` : ''}
                    </TableCell>
                    <TableCell>
                      {editable && catalog ? <ValueDecision row={row} catalog={catalog} onDecide={onDecide} disabled={disabled} /> : decisionText(row)}
                    </TableCell>
                  </TableRow>
                ))}
            </TableBody>
          </Table>
        </Box>
      ))}
      <NewOrganisations doc={doc} catalog={catalog} editable={editable} disabled={disabled} onDecide={onDecide} />
    </Box>
  );
}

function NewOrganisations({ doc, catalog, editable, disabled, onDecide }: { doc: ImportDetails; catalog?: Catalog; editable: boolean; disabled: boolean; onDecide: (d: Decisions) => void }) {
  const organisations = doc.organisations ?? [];
  if (!organisations.length) return null;
  const typeLabel = (code?: string) => catalog?.organisationType.find((t) => t.id === code)?.label ?? code ?? '';
  const decide = (row: OrganisationRow, choice: string, type?: string) =>
    onDecide({ organisations: [choice === 'merge' ? { name: row.name, action: 'merge', target: row.mergeSuggestion!.id } : { name: row.name, action: 'create', type: type ?? row.type, territory: row.territory ?? null }] });
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="subtitle1" component="h3">
        Organisations absentes de la base
      </Typography>
      <Table size="small" aria-label="Organisations absentes de la base">
        <TableHead>
          <TableRow>
            <TableCell>Nom dans le fichier</TableCell>
            <TableCell>Lignes</TableCell>
            <TableCell>Décision</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Territoire</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {organisations.map((row) => (
            <TableRow key={row.key}>
              <TableCell>{row.name}</TableCell>
              <TableCell>{row.lines}</TableCell>
              <TableCell>
                {editable && row.mergeSuggestion ? (
                  <TextField
                    select
                    size="small"
                    fullWidth={false}
                    disabled={disabled}
                    value={row.action}
                    onChange={(e) => decide(row, e.target.value)}
                    slotProps={{ htmlInput: { 'aria-label': `Décision pour l’organisation « ${row.name} »` } }}
                    sx={{ minWidth: 260 }}
                  >
                    <MenuItem value="create">Créer une nouvelle organisation</MenuItem>
                    <MenuItem value="merge">Rattacher à « {row.mergeSuggestion.name} »</MenuItem>
                  </TextField>
                ) : row.action === 'merge' ? (
                  `Rattachée à « ${row.mergeSuggestion?.name ?? ''} »`
                ) : (
                  'Création'
                )}
              </TableCell>
              <TableCell>
                {row.action === 'create' && editable && catalog ? (
                  <TextField
                    select
                    size="small"
                    fullWidth={false}
                    disabled={disabled}
                    value={row.type ?? 'autre'}
                    onChange={(e) => decide(row, 'create', e.target.value)}
                    helperText={row.typeReason}
                    slotProps={{ htmlInput: { 'aria-label': `Type de l’organisation « ${row.name} »` } }}
                    sx={{ minWidth: 240 }}
                  >
                    {catalog.organisationType.map((t) => (
                      <MenuItem key={t.id} value={t.id}>
                        {t.label}
                      </MenuItem>
                    ))}
                  </TextField>
                ) : row.action === 'create' ? (
                  typeLabel(row.type)
                ) : (
                  ''
                )}
              </TableCell>
              <TableCell>{row.action === 'create' ? (row.territoryLabel ?? 'aucun') : ''}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
