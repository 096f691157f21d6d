import AssessmentIcon from '@mui/icons-material/Assessment';
import { Menu as RaMenu } from 'react-admin';

/** The resources, then the screens that are not resources (the activity report). */
export function Menu() {
  return (
    <RaMenu>
      <RaMenu.DashboardItem />
      <RaMenu.ResourceItems />
      <RaMenu.Item to="/rapport-activite" primaryText="Rapport d'activité" leftIcon={<AssessmentIcon />} />
    </RaMenu>
  );
}
