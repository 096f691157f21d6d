import { Button, Typography } from '@mui/material';
import { useState } from 'react';
import { CreateButton, FilterButton, TopToolbar, useCanAccess, useNotify, useRefresh } from 'react-admin';
import { useApi } from '../common/useApi';
import { callApi } from '../dataProvider';

type Work = { unread: number; unanswered: number; oldestUnansweredWorkingDays: number | null; overdue: number; reminderWorkingDays: number };

/** The head of the work list: what waits, since when, and reading the contact mailbox now. */
export function WorkListActions() {
  const { data: work, reload } = useApi<Work>('/solicitations/work');
  const { canAccess: canEdit } = useCanAccess({ resource: 'solicitations', action: 'create' });
  const notify = useNotify();
  const refresh = useRefresh();
  const [polling, setPolling] = useState(false);
  const poll = async () => {
    setPolling(true);
    try {
      const counts = await callApi<{ created: number; threaded: number }>('/solicitations/mailbox/poll', { method: 'POST' });
      notify(`Boîte relevée : ${counts.created} nouvelle(s) demande(s), ${counts.threaded} réponse(s) rattachée(s).`, { type: 'info' });
      refresh();
      reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setPolling(false);
    }
  };
  return (
    <TopToolbar sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      {work && (
        // A line of its own on a phone, rather than pushed off the screen.
        <Typography variant="body2" sx={{ mr: 'auto', whiteSpace: 'normal', flex: { xs: '1 1 100%', sm: '0 1 auto' } }} role="status">
          {work.unread} non lue(s) · {work.unanswered} sans réponse
          {work.oldestUnansweredWorkingDays !== null && ` · la plus ancienne attend depuis ${work.oldestUnansweredWorkingDays} jour(s) ouvré(s)`}
          {work.overdue > 0 && ` · ${work.overdue} au-delà de ${work.reminderWorkingDays} jours ouvrés`}
        </Typography>
      )}
      {canEdit && (
        <Button size="small" onClick={poll} disabled={polling}>
          Relever la boîte mail
        </Button>
      )}
      <FilterButton />
      {canEdit && <CreateButton />}
    </TopToolbar>
  );
}
