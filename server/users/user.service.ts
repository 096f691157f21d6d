import { hash, verify } from '@node-rs/argon2';
import type { ListQuery } from '../lib/rest.js';
import { badRequest, conflict, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeEmail } from '../lib/normalize.js';
import { passwordProblem } from './password-policy.js';
import { Session } from './session.model.js';
import { User, type Role } from './user.model.js';
import type { UserCreateInput, UserUpdateInput } from './user.schemas.js';

export type Actor = { id: string; role: Role; name: string };

// argon2id with the library's defaults (19 MiB, 2 passes), as OWASP recommends.
export const hashPassword = (password: string) => hash(password);

// Checked against when the e-mail is unknown, so both failures take the same time.
const decoyHash = hash('decoy password that matches nothing');

export async function verifyCredentials(email: string, password: string) {
  const user = await User.findOne({ email: normalizeEmail(email), active: true });
  const ok = await verify(user?.passwordHash ?? (await decoyHash), password).catch(() => false);
  return user && ok ? user : undefined;
}

function assertPasswordPolicy(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw badRequest(problem, 'password');
}

export async function createUser(input: UserCreateInput) {
  const email = normalizeEmail(input.email);
  assertPasswordPolicy(input.password, email);
  if (await User.exists({ email })) throw conflict('Un compte existe déjà avec cette adresse.', 'email');
  const { password, ...rest } = input;
  return User.create({ ...rest, email, passwordHash: await hashPassword(password) });
}

/**
 * A new password ends the account's other sessions (`keepSessionHash`: the session making the
 * change, when it is the account's own). The last active administrator stays one.
 */
export async function updateUser(id: string, input: UserUpdateInput, options: { keepSessionHash?: string } = {}) {
  const user = await User.findById(id);
  if (!user) throw notFound('Utilisateur');
  const { password, ...rest } = input;
  if (rest.email) rest.email = normalizeEmail(rest.email);
  if (password) assertPasswordPolicy(password, rest.email ?? user.email);
  const losesAdmin = (rest.role !== undefined && rest.role !== 'admin') || rest.active === false;
  if (user.role === 'admin' && user.active && losesAdmin) await assertAnotherAdmin(id);
  user.set(rest);
  if (password) user.passwordHash = await hashPassword(password);
  const saved = await user.save();
  if (password) await Session.deleteMany({ user: user._id, ...(options.keepSessionHash ? { tokenHash: { $ne: options.keepSessionHash } } : {}) });
  return saved;
}

export async function deleteUser(id: string) {
  const user = await User.findById(id);
  if (!user) throw notFound('Utilisateur');
  if (user.role === 'admin' && user.active) await assertAnotherAdmin(id);
  await User.deleteOne({ _id: user._id });
  await Session.deleteMany({ user: user._id });
  return user;
}

async function assertAnotherAdmin(id: string): Promise<void> {
  if (!(await User.exists({ _id: { $ne: id }, role: 'admin', active: true }))) {
    throw conflict("C'est le dernier compte administrateur actif : nommez d'abord un autre administrateur.", 'role');
  }
}

export async function getUser(id: string) {
  const user = await User.findById(id);
  if (!user) throw notFound('Utilisateur');
  return user;
}

export async function listUsers(query: ListQuery<{ q?: string; role?: Role; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.q) where.$or = [{ email: new RegExp(escapeRegExp(query.filter.q), 'i') }, { name: new RegExp(escapeRegExp(query.filter.q), 'i') }];
  if (query.filter.role) where.role = query.filter.role;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    User.find(where).sort({ [query.sort.field]: query.sort.order }).skip(query.skip).limit(query.limit),
    User.countDocuments(where),
  ]);
  return { items, total };
}

/** Staff who can be given work (solicitations, events): active admin and staff accounts, by name. */
export async function assignableUsers(): Promise<Array<{ id: string; name: string }>> {
  const users = await User.find({ active: true, role: { $in: ['admin', 'staff'] } }, { name: 1, email: 1 }).lean();
  return users.map((u) => ({ id: String(u._id), name: u.name || u.email })).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** Creates the first administrator from the environment when there is no user at all. */
export async function ensureFirstAdmin(admin: { email: string; password: string } | undefined): Promise<boolean> {
  if (!admin || (await User.estimatedDocumentCount()) > 0) return false;
  await createUser({ email: admin.email, password: admin.password, name: 'Administrateur', role: 'admin' });
  return true;
}
