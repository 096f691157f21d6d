import { createRequire } from 'node:module';

export const PASSWORD_MIN_LENGTH = 12;

/**
 * zxcvbn-ts's list of the ~50,000 most common passwords, shipped with the app (no network),
 * read at the first password checked rather than at every start.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    common = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));
  }
  return common;
}

/**
 * Why a password is refused, in French, or undefined. The policy: at least 12 characters, not the
 * account's e-mail (nor its name part), not a common password, even with digits or symbols
 * around it ("motdepasse2026!", "Azerty123456").
 */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `Le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères.`;
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  const localPart = address.split('@')[0];
  if (lower === address || (localPart.length >= 4 && lower.includes(localPart))) {
    return "Le mot de passe ne doit pas reprendre l'adresse e-mail du compte.";
  }
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''); // without the digits and symbols around it
  const common = commonPasswords();
  if (common.has(lower) || common.has(core) || /^(.)\1*$/u.test(lower)) {
    return 'Ce mot de passe fait partie des plus courants : choisissez-en un autre, par exemple une phrase de plusieurs mots.';
  }
  return undefined;
}
