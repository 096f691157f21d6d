/** Board members read everything and change nothing: every screen says so (ReadOnlyBanner, and the first paint). */
export const READ_ONLY_NOTICE = 'Accès en lecture seule : vous consultez les données sans pouvoir les modifier.';
