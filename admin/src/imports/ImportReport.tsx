import { Alert, Box, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { ACTION_LABELS, COUNT_LABELS, FIELD_CHOICES, rowLabel, type Counts, type Issue, type PreviewLine } from './importModel';

const fieldLabel = (key: string) => FIELD_CHOICES.find((c) => c.id === key)?.name ?? key;
const isEmpty = (value: unknown) => value == null || value === '' || (Array.isArray(value) && !value.length);

export function CountChips({ counts }: { counts: Counts }) {
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', my: 2 }} role="list" aria-label="Décompte">
      {COUNT_LABELS.map(([key, label]) => (
        <Chip
          role="listitem"
          key={key}
          label={`${label} : ${counts?.[key] ?? 0}`}
          color={key === 'errors' && counts?.[key] ? 'error' : 'default'}
          variant={key === 'rows' ? 'filled' : 'outlined'}
        />
      ))}
    </Box>
  );
}

const describe = (line: PreviewLine) =>
  line.reason ??
  [
    ...(line.changes?.length ? [`Champs modifiés : ${line.changes.map(fieldLabel).join(', ')}`] : []),
    ...Object.entries(line.values ?? {})
      .filter(([key, value]) => key !== 'email' && !isEmpty(value))
      .map(([key, value]) => `${fieldLabel(key)} : ${Array.isArray(value) ? value.join(', ') : String(value)}`),
    ...(line.warnings ?? []).map((w) => `⚠ ${w.reason}`),
  ].join(' · ');

export function PreviewTable({ lines }: { lines: PreviewLine[] }) {
  if (!lines?.length) return null;
  return (
    <Table size="small" aria-label="Aperçu ligne par ligne">
      <TableHead>
        <TableRow>
          <TableCell>Ligne du tableur</TableCell>
          <TableCell>Action</TableCell>
          <TableCell>Adresse e-mail</TableCell>
          <TableCell>Détail</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {lines.map((line) => (
          <TableRow key={`${line.line}-${line.action}`} sx={line.action === 'error' ? { bgcolor: 'error.50' } : undefined}>
            <TableCell>{line.row !== undefined && line.row !== line.line ? `${line.row} (texte : ${line.line})` : line.line}</TableCell>
            <TableCell>{ACTION_LABELS[line.action] ?? line.action}</TableCell>
            <TableCell>{line.email ?? ''}</TableCell>
            <TableCell>{describe(line)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The lines the import reports, named by their spreadsheet row (and text line when different). */
export function IssueList({ issues, total, kinds = ['error', 'skipped'], title = 'Lignes non importées' }: { issues: Issue[]; total: number; kinds?: Issue['kind'][]; title?: string }) {
  const errors = issues.filter((i) => kinds.includes(i.kind));
  if (!errors.length) return null;
  return (
    <Box sx={{ my: 2 }}>
      <Typography variant="h6" component="h2">
        {title}
      </Typography>
      {errors.map((issue) => (
        <Alert key={`${issue.line}-${issue.reason}`} severity={issue.kind === 'error' ? 'error' : issue.kind === 'warning' ? 'info' : 'warning'} sx={{ mt: 1 }}>
          {rowLabel(issue)}
          {issue.column ? ` (${issue.column})` : ''} : {issue.reason}
        </Alert>
      ))}
      {total > errors.length && <Typography sx={{ mt: 1 }}>… et {total - errors.length} autre(s) : téléchargez le fichier des erreurs.</Typography>}
    </Box>
  );
}
