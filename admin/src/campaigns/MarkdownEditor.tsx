import FormatBoldIcon from '@mui/icons-material/FormatBold';
import FormatListBulletedIcon from '@mui/icons-material/FormatListBulleted';
import ImageIcon from '@mui/icons-material/Image';
import InsertLinkIcon from '@mui/icons-material/InsertLink';
import SmartButtonIcon from '@mui/icons-material/SmartButton';
import TitleIcon from '@mui/icons-material/Title';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, Paper, TextField, Toolbar, Tooltip, Typography } from '@mui/material';
import { useEffect, useState, type ReactNode } from 'react';
import { TextInput } from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import { callApi } from '../dataProvider';
import { applyInline, applyLink, selectedText, type Edit, type InlineAction, type LinkAction } from './markdownEdit';

const BODY_ID = 'campaign-body';

const LINK_DIALOGS: Record<LinkAction, { title: string; label: string; insert: string }> = {
  link: { title: 'Insérer un lien', label: 'Texte du lien', insert: 'Insérer le lien' },
  image: { title: 'Insérer une image', label: "Description de l'image (lue à qui ne la voit pas)", insert: "Insérer l'image" },
  button: { title: 'Insérer un bouton', label: 'Texte du bouton', insert: 'Insérer le bouton' },
};

/** The message's Markdown with a toolbar that writes the Markdown for staff, and a live preview beside it. */
export function MarkdownEditor({ helperText }: { helperText: string }) {
  const { setValue } = useFormContext();
  const [dialog, setDialog] = useState<{ action: LinkAction; edit: Edit } | null>(null);

  const current = (): Edit => {
    const area = document.getElementById(BODY_ID) as HTMLTextAreaElement | null;
    const value = area?.value ?? '';
    return { value, start: area?.selectionStart ?? value.length, end: area?.selectionEnd ?? value.length };
  };
  const commit = (next: Edit) => {
    setValue('body', next.value, { shouldDirty: true, shouldTouch: true });
    requestAnimationFrame(() => {
      const area = document.getElementById(BODY_ID) as HTMLTextAreaElement | null;
      area?.focus();
      area?.setSelectionRange(next.start, next.end);
    });
  };
  const inline = (action: InlineAction) => commit(applyInline(current(), action));

  return (
    <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', width: '100%', alignItems: 'flex-start' }}>
      <Box sx={{ flex: '1 1 420px', minWidth: 320 }}>
        <Toolbar disableGutters variant="dense" role="toolbar" aria-label="Mise en forme du message" sx={{ gap: 0.5, minHeight: 0 }}>
          <Tool label="Titre" onClick={() => inline('heading')} icon={<TitleIcon />} />
          <Tool label="Gras" onClick={() => inline('bold')} icon={<FormatBoldIcon />} />
          <Tool label="Liste à puces" onClick={() => inline('list')} icon={<FormatListBulletedIcon />} />
          <Tool label="Insérer un lien" onClick={() => setDialog({ action: 'link', edit: current() })} icon={<InsertLinkIcon />} />
          <Tool label="Insérer une image" onClick={() => setDialog({ action: 'image', edit: current() })} icon={<ImageIcon />} />
          <Tool label="Insérer un bouton" onClick={() => setDialog({ action: 'button', edit: current() })} icon={<SmartButtonIcon />} />
        </Toolbar>
        <TextInput source="body" id={BODY_ID} label="Texte du message" multiline minRows={14} fullWidth helperText={helperText} />
      </Box>
      <LivePreview />
      {dialog && (
        <LinkDialog
          action={dialog.action}
          initialLabel={selectedText(dialog.edit)}
          onClose={() => setDialog(null)}
          onInsert={(label, url) => {
            setDialog(null);
            commit(applyLink(dialog.edit, dialog.action, label, url));
          }}
        />
      )}
    </Box>
  );
}

function Tool({ label, onClick, icon }: { label: string; onClick: () => void; icon: ReactNode }) {
  return (
    <Tooltip title={label}>
      <IconButton aria-label={label} onClick={onClick} size="small">
        {icon}
      </IconButton>
    </Tooltip>
  );
}

function LinkDialog({ action, initialLabel, onClose, onInsert }: { action: LinkAction; initialLabel: string; onClose: () => void; onInsert: (label: string, url: string) => void }) {
  const texts = LINK_DIALOGS[action];
  const [label, setLabel] = useState(initialLabel);
  const [url, setUrl] = useState('https://');
  const [tried, setTried] = useState(false);
  const urlError = !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(url.trim()) ? 'Adresse complète attendue, commençant par https://' : '';
  const labelError = !label.trim() ? 'Obligatoire' : '';
  const submit = () => {
    setTried(true);
    if (!urlError && !labelError) onInsert(label.trim().replace(/[[\]]/g, ''), url.trim().replace(/[\s()]/g, encodeURIComponent));
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="markdown-dialog-title">
      <DialogTitle id="markdown-dialog-title">{texts.title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, minWidth: 420, pt: '8px !important' }}>
        <TextField label={texts.label} value={label} onChange={(e) => setLabel(e.target.value)} error={tried && Boolean(labelError)} helperText={tried ? labelError : ' '} autoFocus />
        <TextField
          label="Adresse (https://…)"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && submit()}
          error={tried && Boolean(urlError)}
          helperText={tried ? urlError : ' '}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Annuler</Button>
        <Button variant="contained" onClick={submit}>
          {texts.insert}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The e-mail as it will look (sample personal values), rendered by the server as the message is written. */
function LivePreview() {
  const [subject, preheader, body, basis, list] = useWatch({ name: ['subject', 'preheader', 'body', 'basis', 'list'] }) as (string | undefined)[];
  const [html, setHtml] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      callApi<{ html: string }>('/campaigns/preview', { method: 'POST', body: { subject: subject ?? '', preheader: preheader ?? '', body: body ?? '', ...(basis ? { basis } : {}), list: basis === 'consent' && list ? list : null } })
        .then((reply) => !cancelled && (setHtml(reply.html), setError(undefined)))
        .catch((e: Error) => !cancelled && setError(e.message));
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [subject, preheader, body, basis, list]);
  return (
    <Box component="section" aria-labelledby="live-preview-title" sx={{ flex: '0 1 620px', minWidth: 320 }}>
      <Typography variant="subtitle2" component="h3" id="live-preview-title" sx={{ mt: 1 }}>
        Aperçu en direct (avec des valeurs d'exemple : Camille Exemple, Ville de Saint-Denis)
      </Typography>
      {error && (
        <Alert severity="warning" sx={{ my: 1 }}>
          {error}
        </Alert>
      )}
      <Paper variant="outlined" sx={{ overflow: 'hidden', mt: 1 }}>
        <iframe title="Aperçu en direct du message" srcDoc={html ?? ''} sandbox="" width="100%" height={640} style={{ border: 0, display: 'block' }} />
      </Paper>
    </Box>
  );
}
