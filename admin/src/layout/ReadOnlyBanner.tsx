import { Alert } from '@mui/material';
import { usePermissions } from 'react-admin';
import { READ_ONLY_NOTICE } from './readOnlyNotice';

/** Board members read everything and change nothing: say so on every screen. */
export function ReadOnlyBanner() {
  const { permissions } = usePermissions<string>();
  if (permissions !== 'board') return null;
  return (
    <Alert severity="info" sx={{ mt: 1 }}>
      {READ_ONLY_NOTICE}
    </Alert>
  );
}
