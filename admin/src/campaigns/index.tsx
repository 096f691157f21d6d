import { Create, Edit } from 'react-admin';
import { CampaignForm, campaignBody } from './CampaignForm';
import { CampaignList } from './CampaignList';
import { CampaignShow } from './CampaignShow';

function CampaignCreate() {
  return (
    <Create redirect="show" transform={campaignBody} title="Nouvel envoi ciblé">
      <CampaignForm defaultValues={{ basis: 'consent', list: '', segment: null, publish: false }} />
    </Create>
  );
}

function CampaignEdit() {
  return (
    <Edit redirect="show" mutationMode="pessimistic" transform={campaignBody}>
      <CampaignForm />
    </Edit>
  );
}

export default { list: CampaignList, create: CampaignCreate, edit: CampaignEdit, show: CampaignShow };
