import { hash, verify } from '@node-rs/argon2';
import type { ListQuery } from '../lib/rest.js';
import { conflict, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeEmail } from '../lib/normalize.js';
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

export async function createUser(input: UserCreateInput) {
  const email = normalizeEmail(input.email);
  if (await User.exists({ email })) throw conflict('Un compte existe déjà avec cette adresse.', 'email');
  const { password, ...rest } = input;
  return User.create({ ...rest, email, passwordHash: await hashPassword(password) });
}

export async function updateUser(id: string, input: UserUpdateInput) {
  const user = await User.findById(id);
  if (!user) throw notFound('Utilisateur');
  const { password, ...rest } = input;
  if (rest.email) rest.email = normalizeEmail(rest.email);
  user.set(rest);
  if (password) user.passwordHash = await hashPassword(password);
  return user.save();
}

export async function deleteUser(id: string) {
  const user = await User.findByIdAndDelete(id);
  if (!user) throw notFound('Utilisateur');
  return user;
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
