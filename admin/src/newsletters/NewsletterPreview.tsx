import { MailPreview } from '../mailings/MailPreview';
import type { Newsletter } from './newsletterModel';

/** The compiled issue at desktop and mobile width, and as text. */
export function NewsletterPreview({ issue }: { issue: Newsletter }) {
  return <MailPreview path={`/newsletters/${issue.id}`} version={issue.compiledAt} what="de la lettre" />;
}
