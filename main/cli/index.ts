// The `clawkeeper` command: parses arguments and hands off to one command each.
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors.ts';
import { createConsoleLogger } from '../core/logger.ts';
import type { CliContext } from './commands.ts';
import { terminalLine } from './format.ts';
import { stripControls } from '../common/terminal-text.ts';

// Commands are imported when used: the long-running `start` never loads what only the short
// ones need (node:http alone is ~18 MB of resident memory).
const commands = () => import('./commands.ts');

const USAGE = `usage: clawkeeper <command>
  start [--headless]   run the host in the foreground (headless: no Electron)
  status [--json]      layers, mode and skills from the files alone (exit 0 operational, 1 degraded, 2 down)
  health               the article's check: gateway /health plus fresh status files
  skills               list skills, with every problem of the invalid ones
  run <name>           run a skill now (through the gateway, or locally when it does not answer)
  open                 print a one-time dashboard login link
  token [--rotate]     where the API token is; --rotate replaces it (no restart needed)
  logs <name> [-n N]   recent runs of a skill and its last output
environment: CLAWKEEPER_HOME (default ~/.openclaw), CLAWKEEPER_GATEWAY_PORT (3019), CLAWKEEPER_SESSION_PORT (3020)`;

export async function main(argv: string[]): Promise<number> {
  const ctx: CliContext = {
    env: process.env,
    out: (l) => process.stdout.write(terminalLine(l) + '\n'),
    err: (l) => process.stderr.write(terminalLine(l, false) + '\n'),
    logger: createConsoleLogger('', true, stripControls),
  };
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean' }, headless: { type: 'boolean' }, n: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' }, rotate: { type: 'boolean' } },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    ctx.out(USAGE);
    return command || values.help ? 0 : 64;
  }
  switch (command) {
    case 'start':
      return (await import('./start.ts')).startCommand(ctx);
    case 'status':
      return (await commands()).statusCommand(ctx, values.json === true);
    case 'health':
      return (await commands()).healthCommand(ctx);
    case 'skills':
      return (await commands()).skillsCommand(ctx);
    case 'run':
      if (!arg) break;
      return (await commands()).runCommand(ctx, arg);
    case 'logs':
      if (!arg) break;
      return (await commands()).logsCommand(ctx, arg, Number(values.n ?? 20) || 20);
    case 'open':
      return (await commands()).openCommand(ctx);
    case 'token':
      return (await commands()).tokenCommand(ctx, values.rotate === true);
    default:
      ctx.err(`clawkeeper: unknown command "${command}"\n${USAGE}`);
      return 64;
  }
  ctx.err(`clawkeeper ${command}: a skill name is needed\n${USAGE}`);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`clawkeeper: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
