import PaymentsIcon from '@mui/icons-material/Payments';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button, DateInput, Form, required, SelectInput, TextInput, useCanAccess, useNotify, useRecordContext } from 'react-admin';
import { formatEuros, today } from '../common/format';
import { callApi } from '../dataProvider';
import { PAYMENT_METHOD_CHOICES, type Membership } from './membershipModel';

/**
 * Records a payment: the membership becomes paid and gets its certificate number. The row is
 * updated where it stands (no refetch that would move it down the unpaid-first list).
 */
export function PaymentButton() {
  const record = useRecordContext<Membership>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { canAccess } = useCanAccess({ resource: 'memberships', action: 'edit' });
  if (!record || record.paymentStatus !== 'due' || !canAccess) return null;
  async function submit(values: Record<string, unknown>) {
    try {
      // the form also holds the row's record: send the payment fields only
      const { paidAt, paymentMethod, paymentReference } = values;
      const paid = await callApi<Membership & { certificate?: string }>(`/memberships/${record!.id}/payment`, {
        body: { paidAt: paidAt || undefined, paymentMethod, paymentReference: paymentReference || undefined },
      });
      replaceInCache(queryClient, paid);
      notify(`Paiement enregistré${paid.certificate ? ` : attestation et reçu n° ${paid.certificate} disponibles` : ''}.`, { type: 'success' });
      setOpen(false);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  }
  return (
    <>
      <Button
        label="Paiement reçu"
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <PaymentsIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="payment-title" onClick={(e) => e.stopPropagation()}>
        <Form onSubmit={submit} defaultValues={{ paidAt: today() }}>
          <DialogTitle id="payment-title">Enregistrer le paiement de {formatEuros(record.fee)}</DialogTitle>
          <DialogContent>
            <DateInput source="paidAt" label="Payée le" />
            <SelectInput source="paymentMethod" label="Mode de paiement" choices={PAYMENT_METHOD_CHOICES} validate={required()} />
            <TextInput source="paymentReference" label="Référence (n° de chèque, de virement…)" />
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={() => setOpen(false)}>Annuler</MuiButton>
            <MuiButton type="submit" variant="contained">
              Enregistrer
            </MuiButton>
          </DialogActions>
        </Form>
      </Dialog>
    </>
  );
}

type ListPage = { data: Membership[]; total?: number };

/** The paid membership replaces its old copy in every cached list and in its own record. */
function replaceInCache(queryClient: ReturnType<typeof useQueryClient>, paid: Membership) {
  queryClient.setQueriesData<ListPage>({ queryKey: ['memberships', 'getList'] }, (page) =>
    page ? { ...page, data: page.data.map((m) => (m.id === paid.id ? { ...m, ...paid } : m)) } : page,
  );
  queryClient.setQueriesData<Membership>({ queryKey: ['memberships', 'getOne', { id: String(paid.id) }] }, (m) => (m ? { ...m, ...paid } : m));
}
