// The `clawkeeper` command: parses arguments and hands off to one command each.
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors.ts';
import { createConsoleLogger } from '../core/home/logger.ts';
import type { CliContext } from './commands.ts';
import { endQuietlyOnClosedPipe } from './quiet-pipe.ts';
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
  run <name> [--force] run a skill now (by the running host, over host.sock; here only when no host runs)
  open                 print a one-time dashboard login link
  token [--rotate]     where the API token is; --rotate replaces it (no restart needed)
  logs <name> [-n N]   recent runs of a skill and its last output
  run <name> --dry-run show each model prompt with its token count and budget; nothing sent or written
  import openclaw [--from FILE] [--dry-run] [--force]   OpenClaw cron jobs as prompt skills
  run-once <name> [--slot ISO] [--trigger schedule|manual]   one run for an external scheduler (--help: exit codes)
  export kubernetes|systemd|launchd [--out DIR]   the skills as CronJobs, timers or plists (--help: options)
  service install|uninstall|status [--system]   the host as a LaunchAgent/LaunchDaemon or systemd unit
  alerts test [channel]   send a test alert to each alert channel (or one) and print its answer
environment: CLAWKEEPER_HOME (default ~/.openclaw), CLAWKEEPER_GATEWAY_PORT, CLAWKEEPER_SESSION_PORT
  (ports: the environment wins, then config.json gatewayPort/sessionPort, then 3019/3020)`;

export async function main(argv: string[]): Promise<number> {
  const pipes = endQuietlyOnClosedPipe();
  const ctx: CliContext = {
    env: process.env,
    out: (l) => void (pipes.open(process.stdout) && process.stdout.write(terminalLine(l) + '\n')),
    err: (l) => void (pipes.open(process.stderr) && process.stderr.write(terminalLine(l, false) + '\n')),
    logger: createConsoleLogger('', true, stripControls),
  };
  // These two parse their own options (main/cli/run-once.ts, main/cli/export.ts).
  if (argv[0] === 'run-once') return (await import('./run-once.ts')).runOnceCommand(ctx, argv.slice(1));
  if (argv[0] === 'export') return (await import('./export.ts')).exportCommand(ctx, argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, headless: { type: 'boolean' }, n: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' }, rotate: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, from: { type: 'string' }, force: { type: 'boolean' }, system: { type: 'boolean' } },
    });
  } catch (err) {
    // A usage error like any other: what was wrong, then the usage, exit 64.
    ctx.err(`clawkeeper: ${(err as Error).message.split('. ')[0]}\n${USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
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
      if (values['dry-run']) return (await import('./dry-run.ts')).dryRunCommand(ctx, arg);
      return (await commands()).runCommand(ctx, arg, { force: values.force === true });
    case 'logs':
      if (!arg) break;
      return (await commands()).logsCommand(ctx, arg, Number(values.n ?? 20) || 20);
    case 'open':
      return (await commands()).openCommand(ctx);
    case 'import':
      return (await import('./import-openclaw.ts')).importCommand(ctx, arg, { from: values.from, dryRun: values['dry-run'] === true, force: values.force === true });
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
