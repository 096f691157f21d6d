import { NewsletterList } from './NewsletterList';
import { NewsletterReview } from './NewsletterReview';

export default { list: NewsletterList, show: NewsletterReview };
