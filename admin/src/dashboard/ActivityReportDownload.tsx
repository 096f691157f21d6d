import DownloadIcon from '@mui/icons-material/Download';
import { Box, Button, Card, CardContent, MenuItem, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { download } from '../common/download';

/** The yearly activity report's figures, as Markdown (to paste in the report) or CSV. */
export function ActivityReportDownload() {
  const current = new Date().getFullYear();
  const [year, setYear] = useState(current - 1);
  const years = Array.from({ length: 6 }, (_, i) => current - i);
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Rapport d'activité
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <TextField select fullWidth={false} size="small" label="Année" value={year} onChange={(e) => setYear(Number(e.target.value))} sx={{ minWidth: 120 }}>
            {years.map((y) => (
              <MenuItem key={y} value={y}>
                {y}
              </MenuItem>
            ))}
          </TextField>
          <Button startIcon={<DownloadIcon />} onClick={() => download('/reports/activity', { year: String(year), format: 'md' })}>
            Télécharger (Markdown)
          </Button>
          <Button startIcon={<DownloadIcon />} onClick={() => download('/reports/activity', { year: String(year), format: 'csv' })}>
            Télécharger (CSV)
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}
