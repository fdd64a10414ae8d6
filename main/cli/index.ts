// The `clawkeeper` command: parses arguments and hands off to one command each.
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors.ts';
import { createConsoleLogger } from '../core/home/logger.ts';
import type { CliContext } from './commands.ts';
import { endQuietlyOnClosedPipe } from './quiet-pipe.ts';
import { terminalLine } from './format.ts';
import { stripControls } from '../common/terminal-text.ts';
import { USAGE } from './usage.ts';
import { followRunningHost } from './cli-home.ts';

// Commands are imported when used: the long-running `start` never loads what only the short
// ones need (node:http alone is ~18 MB of resident memory).
const commands = () => import('./commands.ts');


/** The context every command gets: quiet on a closed pipe, terminal-safe, the running host's home. */
function createCliContext(argv: string[]): CliContext {
  const pipes = endQuietlyOnClosedPipe();
  const ctx: CliContext = {
    env: process.env,
    out: (l) => void (pipes.open(process.stdout) && process.stdout.write(terminalLine(l) + '\n')),
    err: (l) => void (pipes.open(process.stderr) && process.stderr.write(terminalLine(l, false) + '\n')),
    logger: createConsoleLogger('', true, stripControls),
  };
  // Without CLAWKEEPER_HOME a command reaches the host started last, if it runs (cli-home.ts);
  // not `start` and `service` (they name a home for a new host) nor `run-once` (a scheduler's
  // call names its home explicitly).
  const word = argv.find((a) => !a.startsWith('-'));
  if (word !== undefined && !['start', 'service', 'run-once', 'help'].includes(word)) {
    const followed = followRunningHost(ctx.env);
    if (followed.note) ctx.err(followed.note);
    ctx.env = followed.env;
  }
  return ctx;
}

export async function main(argv: string[]): Promise<number> {
  const ctx = createCliContext(argv);
  // These parse their own options (run-once.ts, export.ts, backfill.ts).
  if (argv[0] === 'run-once') return (await import('./run-once.ts')).runOnceCommand(ctx, argv.slice(1));
  if (argv[0] === 'export') return (await import('./export.ts')).exportCommand(ctx, argv.slice(1));
  if (argv[0] === 'backfill') return (await import('./backfill.ts')).backfillCommand(ctx, argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' }, headless: { type: 'boolean' }, n: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' }, rotate: { type: 'boolean' }, 'dry-run': { type: 'boolean' },
        from: { type: 'string' }, force: { type: 'boolean' }, system: { type: 'boolean' }, follow: { type: 'boolean' },
        unfollow: { type: 'boolean' }, note: { type: 'string' },
      },
    });
  } catch (err) {
    // A usage error like any other: what was wrong, then the usage, exit 64.
    ctx.err(`clawkeeper: ${(err as Error).message.split('. ')[0]}\n${USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  const [command, arg] = positionals;
  if (values.help || !command || command === 'help') {
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
      if (values['dry-run']) return (await import('./dry-run.ts')).dryRunCommand(ctx, arg);
      return (await commands()).runCommand(ctx, arg, { force: values.force === true });
    case 'pause':
    case 'resume':
      if (!arg) break;
      return (await import('./pause.ts')).pauseCommand(ctx, arg, command === 'pause', values.note);
    case 'logs':
      if (!arg) break;
      return (await commands()).logsCommand(ctx, arg, Number(values.n ?? 20) || 20);
    case 'open':
      return (await commands()).openCommand(ctx);
    case 'reset-breaker':
      if (!arg) break;
      return (await import('./reset-breaker.ts')).resetBreakerCommand(ctx, arg);
    case 'import':
      return (await import('./import-openclaw.ts')).importCommand(ctx, arg, {
        from: values.from, dryRun: values['dry-run'] === true, force: values.force === true,
        follow: values.follow === true, unfollow: values.unfollow === true,
      });
    case 'token':
      return (await commands()).tokenCommand(ctx, values.rotate === true);
    case 'service': {
      const s = await import('./service.ts');
      return s.serviceCommand(s.defaultServiceContext(ctx.env, ctx.out, ctx.err), arg, values.system === true);
    }
    case 'alerts':
      return (await import('./alerts.ts')).alertsCommand(ctx, arg, positionals[2]);
    default:
      ctx.err(`clawkeeper: unknown command "${command}"\n${USAGE}`);
      return 64;
  }
  ctx.err(`clawkeeper ${command}: a skill name is needed\n${USAGE}`);
  return 64;
}

// Inside the packaged app (`ClawKeeper --cli ...`), main/electron/cli-mode.ts calls main() itself.
if (!process.versions.electron) main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`clawkeeper: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
