/**
 * `qlik-engine-double token`: prints one bearer token for a secured double, so a shell, a
 * docker-compose file or a CI step can mint test identities without code.
 */
import { Command, Option } from 'commander';
import { mintToken } from './mint';
import { HMAC_ALGORITHMS } from './tokens';

interface TokenFlags {
  sub: string;
  groups?: string[];
  name?: string;
  subType?: string;
  tenant?: string;
  secret?: string;
  alg: string;
  expiresIn?: string;
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The `token` command; `write` receives the token and a newline (stdout in the CLI). */
export function tokenCommand(write: (text: string) => void): Command {
  return new Command('token')
    .description('print a bearer token for a secured double: HS256-signed with --secret, unsigned (alg "none") without')
    .requiredOption('--sub <user>', 'the user: the sub claim, and owner of the apps this token creates')
    .option('--groups <list>', 'comma-separated groups claim, e.g. viewers,finance', commaList)
    .option('--name <name>', 'the name claim')
    .option('--sub-type <type>', 'the subType claim')
    .option('--tenant <id>', 'the tenantId claim')
    .addOption(new Option('--secret <secret>', 'HMAC secret to sign with (the engine\'s --jwt-secret or scenario jwt.secret)').env('JWT_SECRET'))
    .addOption(new Option('--alg <alg>', 'signing algorithm with --secret').choices(HMAC_ALGORITHMS).default('HS256'))
    .option('--expires-in <span>', 'lifetime from now, e.g. 30m, 1h, 7d ("-1h" makes an expired token); no exp claim without it')
    .action(async (flags: TokenFlags) => {
      const token = await mintToken(
        { sub: flags.sub, groups: flags.groups, name: flags.name, subType: flags.subType, tenantId: flags.tenant },
        // An empty secret (JWT_SECRET= in a compose file) means none, as for serve.
        { secret: flags.secret || undefined, algorithm: flags.alg, expiresIn: flags.expiresIn },
      );
      write(`${token}\n`);
    });
}
