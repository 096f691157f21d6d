import MailIcon from '@mui/icons-material/Mail';
import { NewsletterList } from './NewsletterList';
import { NewsletterReview } from './NewsletterReview';

export default { list: NewsletterList, show: NewsletterReview, icon: MailIcon, recordRepresentation: 'title' };
