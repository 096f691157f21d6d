/**
 * FerretDB over SQLite can answer "database is locked" (SQLITE_BUSY) when many writes arrive
 * at once. Such a write did nothing, so it is safe to try again after a short, jittered pause.
 */
export async function retryBusy<T>(write: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || !isBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30 * attempt));
    }
  }
}

export function isBusy(error: unknown): boolean {
  return /database is locked|SQLITE_BUSY/i.test(String((error as Error)?.message ?? error));
}
