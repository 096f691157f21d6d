import { Box, FormControlLabel, MenuItem, Radio, RadioGroup, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useGetList } from 'react-admin';
import { DELIMITER_CHOICES, ENCODING_CHOICES, FIELD_CHOICES, type ImportDetails, type Preset } from './importModel';

export type Settings = { encoding: string; delimiter: string; mapping: string[]; policy: 'fill' | 'overwrite'; subscribeList: string | null };

export function settingsOf(doc: ImportDetails): Settings {
  const mapping = doc.headers.map((_, column) => doc.mapping.find((m) => m.column === column)?.field ?? 'ignore');
  return { encoding: doc.encoding, delimiter: doc.delimiter, mapping, policy: doc.policy, subscribeList: doc.subscribeList ?? null };
}

/** Step 2: detected settings (editable), the column mapping with suggestions, presets, policy, list. */
export function ImportSettings({
  doc,
  settings,
  onChange,
  presets,
  onPreset,
}: {
  doc: ImportDetails;
  settings: Settings;
  onChange: (s: Settings) => void;
  presets: Preset[];
  onPreset: (id: string) => void;
}) {
  const { data: lists } = useGetList('lists', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } }, { retry: false });
  const set = (patch: Partial<Settings>) => onChange({ ...settings, ...patch });
  return (
    <Box>
      <Typography variant="h6" component="h2" gutterBottom>
        Fichier « {doc.fileName} »
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 }}>
        <TextField
          select
          fullWidth={false}
          label="Encodage"
          value={settings.encoding}
          onChange={(e) => set({ encoding: e.target.value })}
          helperText={doc.detected?.encoding ? `Détecté : ${doc.detected.encoding}` : undefined}
          sx={{ minWidth: 220 }}
        >
          {ENCODING_CHOICES.map((c) => (
            <MenuItem key={c.id} value={c.id}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          fullWidth={false}
          label="Séparateur"
          value={settings.delimiter}
          onChange={(e) => set({ delimiter: e.target.value })}
          helperText={doc.detected?.delimiter ? `Détecté : ${DELIMITER_CHOICES.find((d) => d.id === doc.detected?.delimiter)?.name}` : undefined}
          sx={{ minWidth: 220 }}
        >
          {DELIMITER_CHOICES.map((c) => (
            <MenuItem key={c.id} value={c.id}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField select fullWidth={false} label="Modèle de correspondance" value="" onChange={(e) => onPreset(e.target.value)} sx={{ minWidth: 260 }}>
          {presets.map((p) => (
            <MenuItem key={p.id} value={p.id}>
              {p.name}
            </MenuItem>
          ))}
        </TextField>
        {lists && lists.length > 0 && (
          <TextField
            select
            label="Abonner à la liste (avec preuve de consentement)"
            value={settings.subscribeList ?? ''}
            onChange={(e) => set({ subscribeList: e.target.value || null })}
            sx={{ minWidth: 320 }}
          >
            <MenuItem value="">Aucune</MenuItem>
            {lists.map((l) => (
              <MenuItem key={l.id} value={l.id}>
                {l.name}
              </MenuItem>
            ))}
          </TextField>
        )}
      </Box>
      <RadioGroup row value={settings.policy} onChange={(e) => set({ policy: e.target.value as Settings['policy'] })} aria-label="Contacts déjà connus">
        <FormControlLabel value="fill" control={<Radio />} label="Compléter les fiches existantes (sans rien écraser)" />
        <FormControlLabel value="overwrite" control={<Radio />} label="Remplacer les valeurs des fiches existantes" />
      </RadioGroup>
      <Table size="small" aria-label="Correspondance des colonnes" sx={{ mt: 1 }}>
        <TableHead>
          <TableRow>
            <TableCell>Colonne du fichier</TableCell>
            <TableCell>Champ du contact</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {doc.headers.map((header, column) => (
            <TableRow key={column}>
              <TableCell>{header || `Colonne ${column + 1}`}</TableCell>
              <TableCell>
                <TextField
                  select
                  fullWidth={false}
                  size="small"
                  value={settings.mapping[column] ?? 'ignore'}
                  onChange={(e) => set({ mapping: settings.mapping.map((f, i) => (i === column ? e.target.value : f)) })}
                  slotProps={{ htmlInput: { 'aria-label': `Champ pour la colonne « ${header || column + 1} »` } }}
                  sx={{ minWidth: 260 }}
                >
                  {FIELD_CHOICES.map((c) => (
                    <MenuItem key={c.id} value={c.id}>
                      {c.name}
                    </MenuItem>
                  ))}
                </TextField>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
