/**
 * Work a request starts but does not wait for (the e-mail that follows a public form's answer).
 * Tracked here so that stopping the app waits for it rather than cutting it off.
 */
const pending = new Set<Promise<void>>();

/** Runs `work` after the answer; its errors must already be handled (logged) by the caller. */
export function inBackground(work: Promise<unknown>): void {
  const tracked: Promise<void> = work.then(
    () => undefined,
    () => undefined,
  ).finally(() => pending.delete(tracked));
  pending.add(tracked);
}

/** Waits for the background work started so far, at most `timeoutMs`. */
export async function drainBackground(timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all([...pending]), timeout]);
  clearTimeout(timer);
}
