// The command table: what `clawkeeper help` prints, and what test/scripts/docs.test.ts checks
// docs/cli.md against (every command here must be documented there).

export interface CommandLine {
  /** The command word(s), as typed: `run`, `service`, `import openclaw`. */
  command: string;
  args: string;
  summary: string;
}

export const COMMANDS: readonly CommandLine[] = [
  { command: 'help', args: '', summary: 'this list (also --help)' },
  { command: 'start', args: '[--headless]', summary: 'run the host in the foreground (headless: no Electron)' },
  { command: 'status', args: '[--json]', summary: 'layers, mode and skills from the files alone (exit 0 operational, 1 degraded, 2 down)' },
  { command: 'health', args: '', summary: "the article's check: gateway /health plus fresh status files" },
  { command: 'skills', args: '', summary: 'list skills, with every problem of the invalid ones' },
  {
    command: 'run', args: '<name> [--force]',
    summary: 'run a skill now (by the running host, over host.sock; here only when no host runs)',
  },
  { command: 'run', args: '<name> --dry-run', summary: 'show each model prompt with its token count and budget; nothing sent or written' },
  { command: 'pause', args: '<name> [--note TEXT]', summary: "no slot of the skill starts until it is resumed (survives restarts)" },
  { command: 'resume', args: '<name>', summary: "undo pause (and close the skill's tripped breaker)" },
  { command: 'reset-breaker', args: '<name>', summary: "close a skill's tripped circuit breaker (by the running host)" },
  { command: 'logs', args: '<name> [-n N]', summary: 'recent runs of a skill, the status line it wrote and its last output' },
  { command: 'open', args: '', summary: 'print a one-time dashboard login link' },
  { command: 'token', args: '[--rotate]', summary: 'where the API token is; --rotate replaces it (no restart needed)' },
  {
    command: 'import openclaw', args: '[--from FILE] [--dry-run] [--force] [--follow|--unfollow]',
    summary: 'OpenClaw cron jobs as skills',
  },
  {
    command: 'run-once', args: '<name> [--slot ISO] [--trigger schedule|manual]',
    summary: 'one run for an external scheduler (--help: exit codes)',
  },
  { command: 'backfill', args: '<name> --from ISO --to ISO [--dry-run] [--max N]', summary: 'run past slots that never started' },
  { command: 'alerts test', args: '[channel]', summary: 'send a test alert to each alert channel (or one) and print its answer' },
  {
    command: 'export', args: 'kubernetes|systemd|launchd [--out DIR]',
    summary: 'the skills as CronJobs, timers or plists (--help: options)',
  },
  { command: 'service', args: 'install|uninstall|status [--system]', summary: 'the host as a LaunchAgent/LaunchDaemon or systemd unit' },
];

function line(c: CommandLine): string {
  const head = `${c.command}${c.args ? ` ${c.args}` : ''}`;
  return head.length <= 20 ? `  ${head.padEnd(21)}${c.summary}` : `  ${head}   ${c.summary}`;
}

export const USAGE = `usage: clawkeeper <command>   (docs/cli.md has every option)
${COMMANDS.map(line).join('\n')}
environment: CLAWKEEPER_HOME (default: the running host's home, else ~/.openclaw), CLAWKEEPER_GATEWAY_PORT,
  CLAWKEEPER_SESSION_PORT (ports: the environment wins, then the running host's, then config.json, then 3019/3020)`;
