import { Box, Button, Card, CardContent, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { Title, useGetList, useGetOne, useNotify, useUpdate } from 'react-admin';
import { useParams } from 'react-router-dom';
import type { Registration } from './eventModel';

const fold = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Émargement on a phone: search a name, tap "Présent·e". One large button per person, no table. */
export default function CheckInPage() {
  const { id } = useParams();
  const { data: event } = useGetOne('events', { id: id! });
  const [query, setQuery] = useState('');
  const { data = [], refetch } = useGetList<Registration>('registrations', { filter: { event: id, status: 'registered' }, pagination: { page: 1, perPage: 1000 }, sort: { field: 'lastName', order: 'ASC' } });
  const [update] = useUpdate();
  const notify = useNotify();
  const shown = useMemo(() => data.filter((r) => fold(`${r.firstName} ${r.lastName} ${r.organisationName}`).includes(fold(query.trim()))), [data, query]);
  const present = data.filter((r) => r.attendance === 'present').length;
  const toggle = (r: Registration) =>
    update(
      'registrations',
      { id: r.id, data: { attendance: r.attendance === 'present' ? null : 'present' }, previousData: r },
      { mutationMode: 'pessimistic', onSuccess: () => void refetch(), onError: (e: Error) => notify(e.message, { type: 'error' }) },
    );
  return (
    <Box sx={{ maxWidth: 560, mx: 'auto', p: 1 }}>
      <Title title={`Émargement — ${event?.title ?? ''}`} />
      <Typography variant="h5" component="h1" gutterBottom>
        Émargement
      </Typography>
      <Typography variant="body1" gutterBottom>
        {event?.title} : {present} présent·es sur {data.length} inscrit·es
      </Typography>
      <MuiTextField label="Rechercher un nom ou une structure" value={query} onChange={(e) => setQuery(e.target.value)} fullWidth autoFocus type="search" sx={{ mb: 2 }} />
      <Stack spacing={1}>
        {shown.map((r) => (
          <Card key={r.id} variant="outlined">
            <CardContent sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 1, '&:last-child': { pb: 1 } }}>
              <Box sx={{ flex: 1, minWidth: 0 }}>
                <Typography variant="subtitle1" component="p" sx={{ fontWeight: 600 }}>
                  {r.lastName} {r.firstName}
                </Typography>
                <Typography variant="body2" color="text.secondary" noWrap>
                  {r.organisationName}
                </Typography>
              </Box>
              <Button
                variant={r.attendance === 'present' ? 'contained' : 'outlined'}
                color={r.attendance === 'present' ? 'success' : 'primary'}
                size="large"
                onClick={() => toggle(r)}
                aria-pressed={r.attendance === 'present'}
                aria-label={`${r.firstName} ${r.lastName} : ${r.attendance === 'present' ? 'présent·e (toucher pour annuler)' : 'marquer présent·e'}`}
                sx={{ minWidth: 130, minHeight: 48 }}
              >
                {r.attendance === 'present' ? 'Présent·e ✓' : 'Présent·e'}
              </Button>
            </CardContent>
          </Card>
        ))}
        {!shown.length && <Typography>Aucune personne inscrite ne correspond.</Typography>}
      </Stack>
    </Box>
  );
}
