import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import PrintIcon from '@mui/icons-material/Print';
import { Box, Button, Card, CardContent, Link, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import type { Membership } from './membershipModel';
import { PaymentButton } from './PaymentButton';

const DOCUMENTS = [
  { kind: 'certificate', label: 'l’attestation' },
  { kind: 'receipt', label: 'le reçu' },
] as const;

const path = (m: Membership, kind: string, ext: 'html' | 'pdf') => `/api/memberships/${m.id}/${kind}.${ext}`;
const stop = (e: React.MouseEvent) => e.stopPropagation();

/** In the list: the attestation and the receipt of a paid membership, each opening its printable page. */
export function DocumentLinks() {
  const record = useRecordContext<Membership>();
  if (record?.paymentStatus !== 'paid') return null;
  return (
    <Box component="span" sx={{ display: 'inline-flex', gap: 1.5, ml: 1 }}>
      <Link href={path(record, 'certificate', 'html')} target="_blank" rel="noopener" onClick={stop}>
        Attestation
      </Link>
      <Link href={path(record, 'receipt', 'html')} target="_blank" rel="noopener" onClick={stop}>
        Reçu
      </Link>
    </Box>
  );
}

/** On the membership's page: print or download both documents, or record the payment first. */
export function MembershipDocuments() {
  const record = useRecordContext<Membership>();
  if (!record) return null;
  return (
    <Card variant="outlined" sx={{ mb: 2, width: '100%' }}>
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Attestation et reçu
        </Typography>
        {record.paymentStatus === 'paid' ? (
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            {DOCUMENTS.map(({ kind, label }) => [
              <Button key={`${kind}-html`} startIcon={<PrintIcon />} href={path(record, kind, 'html')} target="_blank" rel="noopener">
                Imprimer {label}
              </Button>,
              <Button key={`${kind}-pdf`} startIcon={<PictureAsPdfIcon />} href={path(record, kind, 'pdf')} download>
                {label === 'le reçu' ? 'Reçu' : 'Attestation'} (PDF)
              </Button>,
            ])}
          </Box>
        ) : (
          <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography variant="body2">
              {record.paymentStatus === 'waived'
                ? 'Adhésion exonérée : pas de reçu de cotisation.'
                : 'L’attestation et le reçu sont disponibles une fois le paiement enregistré.'}
            </Typography>
            <PaymentButton />
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
