import { List as MuiList, ListItem, ListItemText, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { useApi } from '../common/useApi';

type Entry = { id: string; action: string; at: string; actorName: string; changes: { field: string; before: unknown; after: unknown }[] };

const ACTIONS: Record<string, string> = { create: 'Création', update: 'Modification', delete: 'Suppression', merge: 'Fusion', erase: 'Effacement RGPD' };

const show = (value: unknown) => (value == null || value === '' ? '∅' : Array.isArray(value) ? value.join(', ') || '∅' : String(value));

/** Who changed what on the record, newest first (`GET /api/<resource>/:id/history`). */
export function RecordHistory({ resource }: { resource: 'contacts' | 'organisations' }) {
  const record = useRecordContext();
  const { data, error } = useApi<Entry[]>(record ? `/${resource}/${record.id}/history` : undefined);
  if (error) return <Typography color="error">{error.message}</Typography>;
  if (!data) return null;
  if (!data.length) return <Typography>Aucune modification enregistrée.</Typography>;
  return (
    <MuiList dense>
      {data.map((entry) => (
        <ListItem key={entry.id} divider alignItems="flex-start">
          <ListItemText
            primary={`${ACTIONS[entry.action] ?? entry.action} — ${new Date(entry.at).toLocaleString('fr-FR')}${entry.actorName ? ` — ${entry.actorName}` : ''}`}
            secondary={entry.changes.map((c) => `${c.field} : ${show(c.before)} → ${show(c.after)}`).join(' · ')}
          />
        </ListItem>
      ))}
    </MuiList>
  );
}
