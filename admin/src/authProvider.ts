import type { AuthProvider } from 'react-admin';
import { IDENTITY_PATH } from './common/earlyReads';
import { API_URL, httpClient } from './dataProvider';

export type Role = 'admin' | 'staff' | 'board';
export type StaffUser = { id: string; email: string; name: string; role: Role };

const BOARD_HIDDEN = ['outbox', 'imports'];

/** Who may do what in the UI; the API enforces the same rules (server/users/auth.middleware.ts). */
export function roleCan(role: Role | undefined, action: string, resource: string): boolean {
  if (!role) return false;
  if (resource === 'users') return role === 'admin';
  // The outbox is for staff (the API answers 403), the import wizard only writes.
  if (role === 'board') return !BOARD_HIDDEN.includes(resource) && ['list', 'show', 'export'].includes(action);
  return true;
}

let current: Promise<StaffUser> | undefined;

function me(): Promise<StaffUser> {
  current ??= httpClient(`${API_URL}${IDENTITY_PATH}`).then(({ json }) => json.user as StaffUser);
  current.catch(() => (current = undefined));
  return current;
}

/** Sessions live in an HttpOnly cookie set by the API; the UI only asks who is logged in. */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const { json } = await httpClient('/api/auth/login', { method: 'POST', body: JSON.stringify({ email: username, password }) });
    current = Promise.resolve(json.user as StaffUser);
  },
  async logout() {
    current = undefined;
    await httpClient('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  },
  async checkAuth() {
    await me();
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      current = undefined;
      throw error;
    }
  },
  async getIdentity() {
    const user = await me();
    return { id: user.id, fullName: user.name, email: user.email, role: user.role };
  },
  async getPermissions() {
    return (await me()).role;
  },
  async canAccess({ action, resource }) {
    const user = await me().catch(() => undefined);
    return roleCan(user?.role, action, resource);
  },
};
