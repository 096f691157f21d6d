import { Box, List as MuiList, ListItemButton, ListItemText, Typography } from '@mui/material';
import { List, useCanAccess, useListContext } from 'react-admin';
import { Link } from 'react-router-dom';
import { orderTree, type Theme } from '../common/themes';

/** The whole tree, indented; a click opens the theme (edit for staff, nothing for the board). */
function ThemeTree() {
  const { data, isPending } = useListContext<Theme>();
  const { canAccess: canEdit } = useCanAccess({ resource: 'themes', action: 'edit' });
  if (isPending) return null;
  const nodes = orderTree(data ?? []);
  if (!nodes.length) return <Typography sx={{ p: 2 }}>Aucun thème.</Typography>;
  return (
    <MuiList dense aria-label="Arbre des thèmes">
      {nodes.map((node) => (
        <ListItemButton
          key={node.id}
          component={canEdit ? Link : 'div'}
          {...(canEdit ? { to: `/themes/${node.id}` } : {})}
          sx={{ pl: 2 + node.depth * 3 }}
        >
          <ListItemText primary={node.name} secondary={node.code} slotProps={{ primary: { sx: { fontWeight: node.depth ? 400 : 600 } } }} />
        </ListItemButton>
      ))}
    </MuiList>
  );
}

export function ThemeList() {
  return (
    <List perPage={1000} pagination={false} sort={{ field: 'order', order: 'ASC' }}>
      <Box>
        <ThemeTree />
      </Box>
    </List>
  );
}
