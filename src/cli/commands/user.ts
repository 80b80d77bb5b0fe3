// `skein user create|list|delete`: SCRAM users, the job `kafka-configs.sh --entity-type users
// --alter --add-config 'SCRAM-SHA-256=[password=...]'` does. The password is salted and hashed here
// (RFC 5802's Hi(), a fresh random salt) and only the salted form goes to the broker; list shows users,
// mechanisms and iterations, which is all Kafka ever answers.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { alterScramUsers, describeScramUsers, type ScramUser } from '../../kafka/client/security-admin.js';
import { MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanismName } from '../../kafka/sasl/scram.js';
import { intIn, UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';
import { SECURITY_NOTE } from './acl.js';
import { withAdmin } from './connect.js';

/** A password read from stdin is its first line; anything longer than this is not a password. */
const MAX_PASSWORD_BYTES = 64 * 1024;

/** `--mechanism`, repeatable: SCRAM-SHA-256 or SCRAM-SHA-512 in any case. */
export function parseMechanism(raw: string, previous: readonly ScramMechanismName[] = []): ScramMechanismName[] {
  const mechanism = SCRAM_MECHANISMS.find((m) => m === raw.toUpperCase());
  if (mechanism === undefined) throw new InvalidArgumentError(`must be ${SCRAM_MECHANISMS.join(' or ')}`);
  return [...previous, mechanism];
}

type Options = KafkaConnectOptions & { format: OutputFormat };

interface CreateOptions extends Options {
  mechanism?: ScramMechanismName[];
  password?: string;
  passwordStdin?: boolean;
  iterations: number;
}

/** The first line of stdin, so `echo secret | skein user create alice --password-stdin` works. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_PASSWORD_BYTES) throw new UsageError(`--password-stdin: more than ${MAX_PASSWORD_BYTES} bytes on stdin; give the password alone`);
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!;
}

async function passwordOf(o: CreateOptions): Promise<string> {
  if ((o.password === undefined) === !o.passwordStdin) throw new UsageError('give the password with --password-stdin (or --password, which shows in the shell history and ps)');
  const password = o.password ?? (await passwordFromStdin());
  if (password === '') throw new UsageError('the password is empty');
  return password;
}

function printUsers(format: OutputFormat, users: readonly ScramUser[]): void {
  printResult(format, users, () =>
    renderTable(
      ['user', 'mechanism', 'iterations'],
      users.flatMap((u) => u.credentials.map((c) => [u.user, c.mechanism, c.iterations])),
    ),
  );
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('SCRAM users of the Kafka listeners: create, list, delete');
  withExamples(user, [
    ['skein user create alice --password-stdin < alice.pass', 'a SCRAM-SHA-256 user'],
    ['skein user list', 'users and their mechanisms'],
    ['skein user delete alice', 'every credential of alice'],
  ]);
  const mechanismOption = (what: string) => new Option('--mechanism <mechanism>', what).argParser(parseMechanism);
  const withUserFlags = (command: Command) => withKafkaConnection(command.addOption(formatOption())).addHelpText('after', `\n${SECURITY_NOTE}\n`);

  withExamples(
    withUserFlags(
      user
        .command('create')
        .alias('add')
        .description('create a SCRAM user, or set a new password for one (salted here: the password never leaves this process)')
        .argument('<name>')
        .addOption(mechanismOption('SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default SCRAM-SHA-256)'))
        .option('--password-stdin', 'read the password from the first line of stdin')
        .option('--password <password>', 'the password on the command line (visible to ps and the shell history)')
        .option('--iterations <n>', `PBKDF2 iterations, ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`, intIn(MIN_ITERATIONS, MAX_ITERATIONS), MIN_ITERATIONS),
    ),
    [
      ['skein user create alice --password-stdin < alice.pass', 'SCRAM-SHA-256, 4096 iterations'],
      ['echo "$PW" | skein user create app --mechanism SCRAM-SHA-512 --iterations 8192 --password-stdin', 'SCRAM-SHA-512'],
    ],
  ).action(async (name: string, o: CreateOptions) => {
    const password = await passwordOf(o);
    const mechanisms = o.mechanism ?? (['SCRAM-SHA-256'] as const);
    await withAdmin(o, async (admin) => {
      await alterScramUsers(admin, mechanisms.map((mechanism) => ({ user: name, mechanism, password, iterations: o.iterations })));
      printUsers(o.format, [{ user: name, credentials: mechanisms.map((mechanism) => ({ mechanism, iterations: o.iterations })) }]);
    });
  });

  withExamples(withUserFlags(user.command('list').alias('ls').description('SCRAM users and their mechanisms (never their credentials)').argument('[names...]')), [
    ['skein user list', 'every user'],
    ['skein user list alice --format json', 'one, for a script'],
  ]).action(async (names: string[], o: Options) => {
    await withAdmin(o, async (admin) => printUsers(o.format, await describeScramUsers(admin, names)));
  });

  withExamples(
    withUserFlags(
      user
        .command('delete')
        .alias('rm')
        .description("delete a SCRAM user's credentials (all of them unless --mechanism says which) and print them; asks nothing")
        .argument('<name>')
        .addOption(mechanismOption('only this mechanism (repeatable)')),
    ),
    [
      ['skein user delete alice', 'alice cannot authenticate any more'],
      ['skein user delete alice --mechanism SCRAM-SHA-512', 'only her SCRAM-SHA-512 credential'],
    ],
  ).action(async (name: string, o: Options & { mechanism?: ScramMechanismName[] }) => {
    await withAdmin(o, async (admin) => {
      // Every user, not just this one: Kafka answers a named user without credentials with an error.
      const existing = (await describeScramUsers(admin)).find((u) => u.user === name);
      const deleted = (existing?.credentials ?? []).filter((c) => o.mechanism === undefined || (o.mechanism as readonly string[]).includes(c.mechanism));
      if (deleted.length === 0) throw new CommandFailure(`user ${name} has no ${o.mechanism?.join(' or ') ?? 'SCRAM'} credential (\`skein user list\` shows the users)`);
      await alterScramUsers(admin, [], deleted.map((c) => ({ user: name, mechanism: c.mechanism as ScramMechanismName })));
      printUsers(o.format, [{ user: name, credentials: deleted }]);
    });
  });
}
