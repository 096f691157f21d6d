import { isDuplicateKey } from '../lib/db.js';
import type { AppContext } from '../context.js';
import { retryBusy } from '../lib/busy.js';
import { badRequest } from '../lib/errors.js';
import { sendEvaluationMail } from './event.mail.js';
import { readEvaluationToken } from './event.links.js';
import { EvaluationClaim, Event, EventEvaluation, Registration, type EventRecord, type RegistrationRecord } from './event.model.js';
import { getEventRecord } from './event.service.js';

type Ctx = Pick<AppContext, 'config' | 'logger'>;

/**
 * Sends the questionnaire link to the participants: those marked present once attendance was
 * taken, otherwise every confirmed registrant. Each person gets it once (a later call reaches
 * only people added since).
 */
export async function sendEvaluation(ctx: Ctx, eventId: string): Promise<{ sent: number; failed: number }> {
  const event = await getEventRecord(eventId);
  if (!event.evaluationQuestions.length) throw badRequest("Ajoutez au moins une question d'évaluation avant d'envoyer le questionnaire.", 'evaluationQuestions');
  const attendanceTaken = await Registration.exists({ event: event._id, attendance: { $exists: true } });
  const where: Record<string, unknown> = { event: event._id, status: 'registered', erasedAt: { $exists: false } };
  if (attendanceTaken) where.attendance = 'present';
  let sent = 0;
  let failed = 0;
  for (const registration of (await Registration.find(where).lean()) as RegistrationRecord[]) {
    if (registration.evaluationSentAt) continue;
    const { modifiedCount } = await retryBusy(() => Registration.updateOne({ _id: registration._id, evaluationSentAt: { $exists: false } }, { $set: { evaluationSentAt: new Date() } }));
    if (!modifiedCount) continue;
    try {
      await sendEvaluationMail(ctx, event, registration);
      sent++;
    } catch (error) {
      failed++;
      ctx.logger.warn({ err: error }, 'evaluation e-mail not sent');
      await Registration.updateOne({ _id: registration._id }, { $unset: { evaluationSentAt: 1 } });
    }
  }
  await Event.updateOne({ _id: event._id }, { $set: { evaluationSentAt: new Date() } });
  return { sent, failed };
}

/** The event of an evaluation link, or why it cannot be used. */
export async function evaluationOf(config: Ctx['config'], token: string): Promise<{ event: EventRecord; registration: string } | { problem: 'invalid' | 'used' }> {
  const registrationId = readEvaluationToken(config, token);
  const registration = registrationId ? await Registration.findById(registrationId, { event: 1 }).lean() : null;
  const event = registration ? await Event.findById(registration.event).lean() : null;
  if (!registration || !event) return { problem: 'invalid' };
  if (await EvaluationClaim.exists({ _id: registrationId })) return { problem: 'used' };
  return { event: event as EventRecord, registration: registrationId! };
}

export type EvaluationAnswers = { ratings: Array<{ key: string; value: number }>; yesNo: Array<{ key: string; value: boolean }> };

/** The form's answers, each optional: ratings `r_<key>` (1 to 5) and yes/no `r_<key>` (`oui`, `non`). */
export function readEvaluation(event: Pick<EventRecord, 'evaluationQuestions'>, body: Record<string, unknown>): EvaluationAnswers {
  const answers: EvaluationAnswers = { ratings: [], yesNo: [] };
  for (const question of event.evaluationQuestions) {
    const raw = body[`r_${question.key}`];
    if (raw === undefined || raw === '') continue;
    if (question.kind === 'yesno') {
      if (raw !== 'oui' && raw !== 'non') throw badRequest(`« ${question.label} » : répondez oui ou non.`, `r_${question.key}`);
      answers.yesNo.push({ key: question.key, value: raw === 'oui' });
      continue;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 5) throw badRequest(`« ${question.label} » : choisissez une note de 1 à 5.`, `r_${question.key}`);
    answers.ratings.push({ key: question.key, value });
  }
  return answers;
}

/**
 * Records an answer once per link: the claim (keyed by the registration, unique) is inserted
 * first, then the answers, which carry no link to the person.
 */
export async function submitEvaluation(event: EventRecord, registration: string, answers: Partial<EvaluationAnswers>, comment: string): Promise<boolean> {
  try {
    await retryBusy(() => EvaluationClaim.create({ _id: registration, at: new Date() }));
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
  await retryBusy(() => EventEvaluation.create({ event: event._id, ratings: answers.ratings ?? [], yesNo: answers.yesNo ?? [], comment: comment.trim() }));
  return true;
}
