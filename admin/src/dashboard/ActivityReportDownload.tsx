import DownloadIcon from '@mui/icons-material/Download';
import { Box, Button, MenuItem, TextField } from '@mui/material';
import { download } from '../common/download';

export const lastCompleteYear = () => new Date().getFullYear() - 1;
export const reportYears = () => Array.from({ length: 8 }, (_, i) => new Date().getFullYear() - i);

const FORMATS = [
  { format: 'md', label: 'Markdown' },
  { format: 'csv', label: 'CSV' },
  { format: 'pdf', label: 'PDF' },
];

/** The year's report as files named after the year (rapport-activite-2025.md, .csv, .pdf). */
export function ReportDownloads({ year }: { year: number }) {
  return (
    <>
      {FORMATS.map(({ format, label }) => (
        <Button key={format} startIcon={<DownloadIcon />} onClick={() => download('/reports/activity', { year: String(year), format })}>
          Télécharger ({label})
        </Button>
      ))}
    </>
  );
}

export function YearSelect({ year, onChange }: { year: number; onChange(year: number): void }) {
  return (
    <TextField select fullWidth={false} size="small" label="Année" value={year} onChange={(e) => onChange(Number(e.target.value))} sx={{ minWidth: 120 }}>
      {reportYears().map((y) => (
        <MenuItem key={y} value={y}>
          {y}
        </MenuItem>
      ))}
    </TextField>
  );
}

export function ReportToolbar({ year, onYear }: { year: number; onYear(year: number): void }) {
  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
      <YearSelect year={year} onChange={onYear} />
      <ReportDownloads year={year} />
    </Box>
  );
}
