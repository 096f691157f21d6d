import { Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';

type Consent = { at?: string; method?: string; source?: string; ip?: string; confirmedAt?: string; text?: string };

/** A subscription's consent proof: when, how, from where, confirmed when. */
export function ConsentField({ source = 'consent' }: { source?: string; label?: string }) {
  const record = useRecordContext();
  const consent = record?.[source] as Consent | undefined;
  if (!consent) return null;
  const parts = [
    consent.at && `le ${new Date(consent.at).toLocaleString('fr-FR')}`,
    consent.method && `par ${consent.method}`,
    consent.source && `depuis ${consent.source}`,
    consent.ip && `IP ${consent.ip}`,
    consent.confirmedAt && `confirmé le ${new Date(consent.confirmedAt).toLocaleString('fr-FR')}`,
  ].filter(Boolean);
  return <Typography variant="body2">{parts.join(', ') || '—'}</Typography>;
}
