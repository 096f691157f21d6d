import PaymentsIcon from '@mui/icons-material/Payments';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { Button, DateInput, Form, required, SelectInput, TextInput, useCanAccess, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { callApi } from '../dataProvider';
import { PAYMENT_METHOD_CHOICES, type Membership } from './membershipModel';

/** Records a payment: the membership becomes paid and gets its certificate number. */
export function PaymentButton() {
  const record = useRecordContext<Membership>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: 'memberships', action: 'edit' });
  if (!record || record.paymentStatus !== 'due' || !canAccess) return null;
  async function submit(values: Record<string, unknown>) {
    try {
      // the form also holds the row's record: send the payment fields only
      const { paidAt, paymentMethod, paymentReference } = values;
      await callApi(`/memberships/${record!.id}/payment`, { body: { paidAt: paidAt || undefined, paymentMethod, paymentReference: paymentReference || undefined } });
      notify('Paiement enregistré.', { type: 'success' });
      setOpen(false);
      refresh();
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
        <Form onSubmit={submit} defaultValues={{ paidAt: new Date().toISOString().slice(0, 10) }}>
          <DialogTitle id="payment-title">Enregistrer le paiement de {record.fee} €</DialogTitle>
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
