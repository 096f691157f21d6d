import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { runCli } from '../server/cli.js';
import { userCreateBody } from '../server/users/user.schemas.js';
import { createUser } from '../server/users/user.service.js';

// npm run user:create -- --email x@y.fr --name "Prénom Nom" --role staff [--password ...]
const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'staff' }, password: { type: 'string' } },
});

await runCli(async () => {
  const password = values.password ?? process.env.PASSWORD ?? (await ask('Mot de passe (12 caractères au moins) : '));
  const input = userCreateBody.parse({ ...values, password });
  const user = await createUser(input);
  console.log(`Compte créé : ${user.email} (${user.role}).`);
});

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(question);
  rl.close();
  return answer;
}
