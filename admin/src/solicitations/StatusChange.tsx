import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';
import { useCanAccess, useListContext, useNotify, useRecordContext, useUpdate } from 'react-admin';
import { SOLICITATION_STATUS_CHOICES, statusLabel } from './solicitationModel';

type Row = { id: string; status: string; subject?: string; answer?: string; timeSpentMinutes?: number };

/**
 * Changes the status from the list. "Répondue" first asks for the answer (and the time spent);
 * the row stays in place with its new status, and the notice says where it will be listed.
 */
export function QuickStatus() {
  const record = useRecordContext<Row>();
  const list = useListContext();
  const [update, { isPending }] = useUpdate();
  const notify = useNotify();
  const [asking, setAsking] = useState(false);
  const { canAccess } = useCanAccess({ resource: 'solicitations', action: 'edit' });
  if (!record) return null;
  if (!canAccess) return <span>{statusLabel(record.status)}</span>;

  const save = (data: Partial<Row>) =>
    update(
      'solicitations',
      { id: record.id, data, previousData: record },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => notify(whereItGoes(data.status!, list?.filterValues?.status), { type: 'success', autoHideDuration: 8000 }),
        onError: (err) => notify((err as Error).message, { type: 'error' }),
      },
    );
  return (
    <>
      <TextField
        select
        size="small"
        value={record.status}
        disabled={isPending}
        onClick={(e) => e.stopPropagation()}
        slotProps={{ htmlInput: { 'aria-label': `État de « ${record.subject || 'la sollicitation'} »` } }}
        onChange={(e) => (e.target.value === 'answered' ? setAsking(true) : save({ status: e.target.value }))}
      >
        {SOLICITATION_STATUS_CHOICES.map((c) => (
          <MenuItem key={c.id} value={c.id}>
            {c.name}
          </MenuItem>
        ))}
      </TextField>
      {asking && <AnswerDialog record={record} onClose={() => setAsking(false)} onSave={(data) => (setAsking(false), save({ ...data, status: 'answered' }))} />}
    </>
  );
}

function whereItGoes(status: string, shownStatuses: unknown): string {
  const label = statusLabel(status);
  const shown = Array.isArray(shownStatuses) ? shownStatuses : shownStatuses ? [shownStatuses] : [];
  if (shown.length && !shown.includes(status)) {
    return `Sollicitation passée à « ${label} ». Elle quittera cette liste au prochain affichage : retrouvez-la avec le filtre État « ${label} ».`;
  }
  return `Sollicitation passée à « ${label} ».`;
}

function AnswerDialog({ record, onClose, onSave }: { record: Row; onClose(): void; onSave(data: { answer: string; timeSpentMinutes?: number }): void }) {
  const [answer, setAnswer] = useState(record.answer ?? '');
  const [minutes, setMinutes] = useState(record.timeSpentMinutes == null ? '' : String(record.timeSpentMinutes));
  const [error, setError] = useState('');
  const submit = () => {
    if (!answer.trim()) return setError('Indiquez la réponse apportée.');
    const time = minutes.trim() === '' ? undefined : Number(minutes);
    if (time !== undefined && (!Number.isInteger(time) || time < 0)) return setError('Le temps passé est un nombre entier de minutes.');
    onSave({ answer: answer.trim(), ...(time === undefined ? {} : { timeSpentMinutes: time }) });
  };
  return (
    <Dialog open onClose={onClose} onClick={(e) => e.stopPropagation()} fullWidth maxWidth="sm" aria-labelledby="answer-dialog-title">
      <DialogTitle id="answer-dialog-title">Marquer comme répondue</DialogTitle>
      <DialogContent>
        <DialogContentText>« {record.subject || 'Sollicitation sans objet'} » : notez ce qui a été répondu et, si vous le souhaitez, le temps passé.</DialogContentText>
        <TextField label="Réponse apportée" value={answer} onChange={(e) => setAnswer(e.target.value)} multiline minRows={3} fullWidth required margin="normal" autoFocus error={!!error && !answer.trim()} />
        <TextField
          label="Temps passé (minutes, facultatif)"
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
          type="number"
          slotProps={{ htmlInput: { min: 0, step: 5 } }}
          margin="normal"
        />
        {error && (
          <DialogContentText color="error" role="alert">
            {error}
          </DialogContentText>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Annuler</Button>
        <Button variant="contained" onClick={submit}>
          Enregistrer
        </Button>
      </DialogActions>
    </Dialog>
  );
}
