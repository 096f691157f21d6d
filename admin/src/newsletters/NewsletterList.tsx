import AddIcon from '@mui/icons-material/Add';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { Button, DataTable, DateField, FunctionField, List, SelectField, SelectInput, TopToolbar, useCanAccess, useNotify } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { callApi } from '../dataProvider';
import { currentMonth, monthLabel, NEWSLETTER_STATUS_CHOICES, type Newsletter } from './newsletterModel';

/** Compiles (or recompiles) the issue of a month from its news items. */
function CompileButton() {
  const [open, setOpen] = useState(false);
  const [month, setMonth] = useState(currentMonth());
  const notify = useNotify();
  const navigate = useNavigate();
  const { canAccess } = useCanAccess({ resource: 'newsletters', action: 'create' });
  if (!canAccess) return null;
  async function compile() {
    try {
      const issue = await callApi<Newsletter>('/newsletters/compile', { body: { month } });
      notify(`Lettre de ${monthLabel(issue.month)} compilée.`, { type: 'success' });
      navigate(`/newsletters/${issue.id}/show`);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  }
  return (
    <>
      <Button label="Compiler un mois" onClick={() => setOpen(true)}>
        <AddIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="compile-title">
        <DialogTitle id="compile-title">Compiler la lettre d'un mois</DialogTitle>
        <DialogContent>
          <TextField type="month" label="Mois des actualités" value={month} onChange={(e) => setMonth(e.target.value)} sx={{ mt: 1 }} />
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
          <MuiButton variant="contained" onClick={compile}>
            Compiler
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}

const filters = [<SelectInput key="status" source="status" choices={NEWSLETTER_STATUS_CHOICES} alwaysOn />];

export function NewsletterList() {
  return (
    <List empty={false} filters={filters} sort={{ field: "month", order: "DESC" }} actions={<TopToolbar><CompileButton /></TopToolbar>} exporter={false}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="month" render={(n: Newsletter) => monthLabel(n.month)} />
        <DataTable.Col source="title" />
        <DataTable.Col source="status">
          <SelectField source="status" choices={NEWSLETTER_STATUS_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="items" disableSort>
          <FunctionField render={(n: Newsletter) => `${n.items.length} actualité(s)`} />
        </DataTable.Col>
        <DataTable.Col source="sentAt">
          <DateField source="sentAt" showTime locales="fr-FR" />
        </DataTable.Col>
        <DataTable.Col source="figures" disableSort>
          <FunctionField render={(n: Newsletter) => (n.figures ? `${n.figures.sent} / ${n.figures.total}` : '')} />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
