import { Alert, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useFormContext } from 'react-hook-form';
import { Link, useCanAccess, useGetList, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { callApi } from '../dataProvider';
import { labelOf, useVocabulary } from '../common/vocabulary';

type Attachment = { _id: string; filename: string; size: number; stored?: string; refused?: string };
type MailMessage = { _id: string; direction: 'in' | 'out'; date: string; from: string; to: string; subject: string; text: string; attachments?: Attachment[] };
type Solicitation = {
  id: string;
  reference?: string;
  unread?: boolean;
  type?: string;
  requesterEmail?: string;
  messages?: MailMessage[];
  suggested?: { type?: string; themes?: string[]; territory?: string };
  newsItem?: string;
};

const RELAYED = ['relais-emploi', 'relais-evenement'];
const frenchDate = (iso: string) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/**
 * An e-mailed request on its page: what the words suggest (to confirm), the conversation in and
 * out, the answer sent from Maillage, and "Publier en actualité" for job offers and events.
 */
export function Conversation() {
  const record = useRecordContext<Solicitation>();
  const { canAccess: canEdit } = useCanAccess({ resource: 'solicitations', action: 'edit' });
  const refresh = useRefresh();
  useEffect(() => {
    if (record?.unread && canEdit) callApi(`/solicitations/${record.id}/read`, { method: 'POST' }).then(refresh, () => undefined);
  }, [record?.id, record?.unread, canEdit, refresh]);
  if (!record) return null;
  return (
    <Box sx={{ width: '100%', mb: 2 }}>
      {record.reference && <Typography variant="subtitle2">Référence {record.reference}</Typography>}
      <Suggestions record={record} />
      {(record.messages ?? []).map((message) => (
        <MessageCard key={message._id} solicitationId={record.id} message={message} />
      ))}
      {canEdit && record.requesterEmail && <AnswerBox record={record} />}
      {canEdit && <PublishAsNews record={record} />}
    </Box>
  );
}

function Suggestions({ record }: { record: Solicitation }) {
  const form = useFormContext();
  const { choices } = useVocabulary('solicitation-types');
  const suggested = record.suggested;
  if (!suggested?.type || record.type) return null;
  const apply = () => {
    form.setValue('type', suggested.type, { shouldDirty: true });
    if (suggested.themes?.length) form.setValue('themes', suggested.themes, { shouldDirty: true });
    if (suggested.territory) form.setValue('territory', suggested.territory, { shouldDirty: true });
  };
  return (
    <Alert severity="info" sx={{ mb: 2 }} action={<Button onClick={apply}>Appliquer les suggestions</Button>}>
      Suggestion d’après le message : type « {labelOf(choices, suggested.type)} »
      {suggested.themes?.length ? `, ${suggested.themes.length} thème(s)` : ''}
      {suggested.territory ? ', territoire du demandeur' : ''}. À confirmer : seules les valeurs enregistrées comptent dans le rapport.
    </Alert>
  );
}

function MessageCard({ solicitationId, message }: { solicitationId: string; message: MailMessage }) {
  const incoming = message.direction === 'in';
  return (
    <Card variant="outlined" sx={{ mb: 1, ml: incoming ? 0 : 4, bgcolor: incoming ? undefined : 'action.hover' }} component="article" aria-label={`${incoming ? 'Message reçu' : 'Réponse envoyée'} le ${frenchDate(message.date)}`}>
      <CardContent>
        <Typography variant="caption" color="text.secondary">
          {incoming ? `Reçu de ${message.from}` : `Envoyé à ${message.to}`} — {frenchDate(message.date)}
        </Typography>
        <Typography variant="subtitle2">{message.subject}</Typography>
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
          {message.text}
        </Typography>
        {(message.attachments ?? []).map((attachment) =>
          attachment.stored ? (
            <Box key={attachment._id}>
              <a href={`/api/solicitations/${solicitationId}/attachments/${attachment._id}`} download>
                {attachment.filename} ({Math.ceil(attachment.size / 1024).toLocaleString('fr-FR')} Ko)
              </a>
            </Box>
          ) : (
            <Typography key={attachment._id} variant="body2" color="warning.main">
              {attachment.filename} : {attachment.refused}
            </Typography>
          ),
        )}
      </CardContent>
    </Card>
  );
}

function AnswerBox({ record }: { record: Solicitation }) {
  const { data: templates = [] } = useGetList<{ id: string; name: string; body: string }>('solicitation-templates', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  const [text, setText] = useState('');
  const [minutes, setMinutes] = useState('');
  const [sending, setSending] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const send = async () => {
    if (!text.trim()) return notify('Écrivez la réponse avant de l’envoyer.', { type: 'warning' });
    setSending(true);
    try {
      await callApi(`/solicitations/${record.id}/answer`, { body: { text, ...(minutes ? { timeSpentMinutes: Number(minutes) } : {}) } });
      notify(`Réponse envoyée à ${record.requesterEmail} ; la sollicitation passe à « Répondue ».`, { type: 'success' });
      setText('');
      setMinutes('');
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setSending(false);
    }
  };
  return (
    <Card variant="outlined" sx={{ mb: 2 }} component="section" aria-label="Répondre par e-mail">
      <CardContent>
        <Typography variant="subtitle1" component="h2">
          Répondre par e-mail à {record.requesterEmail}
        </Typography>
        <Stack direction="row" spacing={2} sx={{ my: 1 }}>
          <TextField select size="small" label="Modèle de réponse" value="" onChange={(e) => setText(templates.find((t) => t.id === e.target.value)?.body ?? text)} sx={{ minWidth: 260 }}>
            {templates.length === 0 && <MenuItem disabled value="none">Aucun modèle (menu Modèles de réponse)</MenuItem>}
            {templates.map((t) => (
              <MenuItem key={t.id} value={t.id}>
                {t.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField size="small" type="number" label="Temps passé (minutes, facultatif)" value={minutes} onChange={(e) => setMinutes(e.target.value)} slotProps={{ htmlInput: { min: 0 } }} />
        </Stack>
        <TextField label="Votre réponse" multiline minRows={5} fullWidth value={text} onChange={(e) => setText(e.target.value)} />
        <Button variant="contained" sx={{ mt: 1 }} disabled={sending} onClick={send}>
          Envoyer la réponse
        </Button>
      </CardContent>
    </Card>
  );
}

type NewsDraft = { title: string; summary: string; url: string | null; category: string; territories: string[]; themes: string[]; publishedAt: string };

function PublishAsNews({ record }: { record: Solicitation }) {
  const [draft, setDraft] = useState<NewsDraft | undefined>();
  const notify = useNotify();
  const refresh = useRefresh();
  const type = record.type ?? record.suggested?.type;
  if (record.newsItem) {
    return (
      <Typography sx={{ mb: 2 }}>
        Publiée en actualité : <Link to={`/news/${record.newsItem}`}>voir l’actualité</Link>
      </Typography>
    );
  }
  if (!type || !RELAYED.includes(type)) return null;
  const open = async () => setDraft(await callApi<NewsDraft>(`/solicitations/${record.id}/news-draft`));
  const publish = async () => {
    try {
      const { url, ...rest } = draft!;
      await callApi(`/solicitations/${record.id}/publish`, { body: { ...rest, ...(url ? { url } : {}) } });
      notify(record.requesterEmail ? 'Actualité publiée ; le demandeur est prévenu par e-mail.' : 'Actualité publiée.', { type: 'success' });
      setDraft(undefined);
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  const field = (name: keyof NewsDraft) => ({ value: (draft?.[name] as string) ?? '', onChange: (e: { target: { value: string } }) => setDraft({ ...draft!, [name]: e.target.value }) });
  return (
    <>
      <Button variant="outlined" sx={{ mb: 2 }} onClick={open}>
        Publier en actualité
      </Button>
      <Dialog open={Boolean(draft)} onClose={() => setDraft(undefined)} fullWidth maxWidth="md" aria-labelledby="publish-title">
        <DialogTitle id="publish-title">Publier en actualité</DialogTitle>
        <DialogContent>
          <Typography variant="body2" sx={{ mb: 2 }}>
            Relisez l’annonce : elle paraîtra dans la prochaine lettre, rubrique « {draft?.category === 'evenements' ? 'Événements' : 'Offres d’emploi'} ».
          </Typography>
          <TextField label="Titre" fullWidth sx={{ mb: 2 }} {...field('title')} />
          <TextField label="Résumé" fullWidth multiline minRows={4} sx={{ mb: 2 }} {...field('summary')} />
          <TextField label="Lien (facultatif)" fullWidth sx={{ mb: 2 }} {...field('url')} />
          <TextField select label="Rubrique" sx={{ minWidth: 240 }} {...field('category')}>
            <MenuItem value="offres-emploi">Offres d’emploi</MenuItem>
            <MenuItem value="evenements">Événements</MenuItem>
          </TextField>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDraft(undefined)}>Annuler</Button>
          <Button variant="contained" onClick={publish}>
            Publier
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
