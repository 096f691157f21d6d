import { Box, Paper, Tab, Tabs, Typography } from '@mui/material';
import { useState } from 'react';
import { useApiText } from '../common/useApiText';

/**
 * A compiled message as readers will see it, in sandboxed iframes (no script, no same-origin
 * access) at desktop and mobile width, and its text version. `path`: `/newsletters/<id>` or
 * `/campaigns/<id>`, which serve `preview.html` and `preview.txt`.
 */
export function MailPreview({ path, version: changedAt, what }: { path: string; version: string; what: string }) {
  const [tab, setTab] = useState(0);
  const version = encodeURIComponent(changedAt);
  const src = `/api${path}/preview.html?v=${version}`;
  const text = useApiText(tab === 1 ? `${path}/preview.txt?v=${version}` : undefined);
  return (
    <Box>
      <Tabs value={tab} onChange={(_, value: number) => setTab(value)} aria-label="Versions de l'aperçu">
        <Tab label="HTML (ordinateur et mobile)" id="preview-tab-html" aria-controls="preview-panel-html" />
        <Tab label="Texte" id="preview-tab-text" aria-controls="preview-panel-text" />
      </Tabs>
      {tab === 0 && (
        <Box id="preview-panel-html" role="tabpanel" aria-labelledby="preview-tab-html" sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', mt: 2, alignItems: 'flex-start' }}>
          <Box>
            <Typography variant="subtitle2" component="h3">
              Ordinateur (700 px)
            </Typography>
            <Paper variant="outlined" sx={{ overflow: 'hidden', width: 702 }}>
              <iframe title={`Aperçu ${what} sur ordinateur`} src={src} sandbox="" width={700} height={900} style={{ border: 0, display: 'block' }} />
            </Paper>
          </Box>
          <Box>
            <Typography variant="subtitle2" component="h3">
              Mobile (375 px)
            </Typography>
            <Paper variant="outlined" sx={{ overflow: 'hidden', width: 377 }}>
              <iframe title={`Aperçu ${what} sur mobile`} src={src} sandbox="" width={375} height={900} style={{ border: 0, display: 'block' }} />
            </Paper>
          </Box>
        </Box>
      )}
      {tab === 1 && (
        <Box id="preview-panel-text" role="tabpanel" aria-labelledby="preview-tab-text" sx={{ mt: 2 }}>
          <Paper variant="outlined" component="pre" tabIndex={0} aria-label="Version texte" sx={{ p: 2, whiteSpace: 'pre-wrap', maxWidth: 800, fontSize: 14 }}>
            {text ?? 'Chargement…'}
          </Paper>
        </Box>
      )}
    </Box>
  );
}
