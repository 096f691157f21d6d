import { Card, CardContent, Typography } from '@mui/material';
import { Title, useGetIdentity } from 'react-admin';

export function Dashboard() {
  const { identity } = useGetIdentity();
  return (
    <Card component="section" aria-labelledby="dashboard-title" sx={{ mt: 2 }}>
      <Title title="Tableau de bord" />
      <CardContent>
        <Typography id="dashboard-title" variant="h5" component="h1">
          Bonjour{identity?.fullName ? ` ${identity.fullName}` : ''}
        </Typography>
      </CardContent>
    </Card>
  );
}
