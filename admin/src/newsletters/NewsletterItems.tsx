import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import RemoveCircleOutlineIcon from '@mui/icons-material/RemoveCircleOutlineOutlined';
import AddCircleOutlineIcon from '@mui/icons-material/AddCircleOutlineOutlined';
import { IconButton, List, ListItem, ListItemText, Typography } from '@mui/material';
import { useGetMany } from 'react-admin';

type NewsItem = { id: string; title: string; publishedAt: string };

/** The items in order: move up/down, leave out, bring back. Grouping by category is the template's. */
export function NewsletterItems({
  items,
  excluded,
  editable,
  onChange,
}: {
  items: string[];
  excluded: string[];
  editable: boolean;
  onChange: (next: { items: string[]; excluded: string[] }) => void;
}) {
  const { data } = useGetMany<NewsItem>('news', { ids: [...items, ...excluded] });
  const byId = new Map((data ?? []).map((n) => [n.id, n]));
  const title = (id: string) => byId.get(id)?.title ?? '…';
  const move = (index: number, delta: number) => {
    const next = [...items];
    [next[index], next[index + delta]] = [next[index + delta], next[index]];
    onChange({ items: next, excluded });
  };
  return (
    <>
      <Typography variant="h6" component="h2">
        Actualités ({items.length})
      </Typography>
      <List dense aria-label="Actualités de la lettre">
        {items.map((id, index) => (
          <ListItem
            key={id}
            divider
            secondaryAction={
              editable && (
                <>
                  <IconButton aria-label={`Monter « ${title(id)} »`} disabled={index === 0} onClick={() => move(index, -1)}>
                    <ArrowUpwardIcon />
                  </IconButton>
                  <IconButton aria-label={`Descendre « ${title(id)} »`} disabled={index === items.length - 1} onClick={() => move(index, 1)}>
                    <ArrowDownwardIcon />
                  </IconButton>
                  <IconButton aria-label={`Retirer « ${title(id)} »`} onClick={() => onChange({ items: items.filter((i) => i !== id), excluded: [...excluded, id] })}>
                    <RemoveCircleOutlineIcon />
                  </IconButton>
                </>
              )
            }
          >
            <ListItemText primary={title(id)} secondary={byId.get(id) ? new Date(byId.get(id)!.publishedAt).toLocaleDateString('fr-FR') : undefined} sx={{ pr: 16 }} />
          </ListItem>
        ))}
      </List>
      {excluded.length > 0 && (
        <>
          <Typography variant="subtitle1" component="h3">
            Actualités retirées ({excluded.length})
          </Typography>
          <List dense aria-label="Actualités retirées">
            {excluded.map((id) => (
              <ListItem
                key={id}
                secondaryAction={
                  editable && (
                    <IconButton aria-label={`Réintégrer « ${title(id)} »`} onClick={() => onChange({ items: [...items, id], excluded: excluded.filter((i) => i !== id) })}>
                      <AddCircleOutlineIcon />
                    </IconButton>
                  )
                }
              >
                <ListItemText primary={title(id)} sx={{ textDecoration: 'line-through' }} />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </>
  );
}
