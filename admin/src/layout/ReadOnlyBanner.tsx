import { Alert } from '@mui/material';
import { usePermissions } from 'react-admin';

/** Board members read everything and change nothing: say so on every screen. */
export function ReadOnlyBanner() {
  const { permissions } = usePermissions<string>();
  if (permissions !== 'board') return null;
  return (
    <Alert severity="info" sx={{ mt: 1 }}>
      Accès en lecture seule : vous consultez les données sans pouvoir les modifier.
    </Alert>
  );
}
