import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away Dovecot IMAP server (Debian's dovecot-imapd, installed by scripts/system-deps.sh)
 * with its own configuration in a temporary folder, on a free port, running unprivileged: as
 * the current user, or as `nobody` when the tests run as root. One user, plain-text login.
 */
export async function startDovecot(user = 'bounces', password = 'mot-de-passe-imap') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-dovecot-'));
  const root = process.getuid?.() === 0;
  const uid = root ? 65534 : process.getuid!();
  const gid = root ? 65534 : process.getgid!();
  const account = root ? 'nobody' : os.userInfo().username;
  const group = root ? 'nogroup' : account;
  const port = await freePort();
  for (const sub of ['run', 'state', 'mail']) mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}:${uid}:${gid}::${dir}/mail/${user}\n`);
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
default_internal_user = ${account}
default_internal_group = ${group}
default_login_user = ${account}
first_valid_uid = ${uid}
last_valid_uid = ${uid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`,
  );
  if (root) for (const p of [dir, ...['run', 'state', 'mail', 'passwd', 'dovecot.conf'].map((s) => path.join(dir, s))]) chownSync(p, uid, gid);
  const child = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { uid, gid, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = (() => {
        try {
          return readFileSync(path.join(dir, 'dovecot.log'), 'utf8');
        } catch {
          return '';
        }
      })();
      child.kill('SIGKILL');
      throw new Error(`Dovecot did not start: ${stderr}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
