import { Chip, Stack } from '@mui/material';
import { useListContext } from 'react-admin';

/**
 * A few chips and "+N" for the rest, each at most `maxWidth` wide (full label on hover): a list
 * row stays within a 1440 px screen however qualified the contact is.
 */
export function CompactChips({ labels, max = 2, maxWidth = 180 }: { labels: string[]; max?: number; maxWidth?: number }) {
  if (!labels.length) return null;
  const shown = labels.slice(0, max);
  const rest = labels.length - shown.length;
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
      {shown.map((label) => (
        <Chip key={label} label={label} title={label} size="small" sx={{ maxWidth }} />
      ))}
      {rest > 0 && <Chip label={`+${rest}`} title={labels.slice(max).join(', ')} size="small" variant="outlined" />}
    </Stack>
  );
}

/** Inside a ReferenceArrayField: the referenced records as compact chips. */
export function ReferenceChips<T>({ text, max }: { text: (record: T) => string; max?: number }) {
  const { data } = useListContext();
  return <CompactChips labels={(data ?? []).map((r) => text(r as T))} max={max} />;
}
