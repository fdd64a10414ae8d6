// `clawkeeper service install|uninstall|status [--system]`: the host as an always-on service, so
// skills keep running when the tray app quits or the user logs out (--system). Files are written
// under a root folder ("/" for real; CLAWKEEPER_SERVICE_ROOT elsewhere, as DESTDIR for packagers
// and tests); launchctl/systemctl go through an injected runner and are only used with the real
// root. Where they cannot be reached (a container, CI) the file is still written and the command
// says how to enable it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { appRoot, serviceNode } from '../core/home/app-paths.ts';
import { lockHolderPid } from '../core/host/host-holder.ts';
import { ensureHome, homePaths, resolveHome } from '../core/home/paths.ts';
import {
  SERVICE_LABEL, serviceFile, serviceFilePath, SYSTEMD_UNIT, type ServicePlatform, type ServiceScope, type ServiceSpec,
} from '../core/install/service-files.ts';

export interface ToolResult {
  code: number | null;
  output: string;
  /** The tool is not there (ENOENT) or not usable here. */
  missing: boolean;
}

export interface ServiceRunner {
  run(command: string, args: string[]): ToolResult;
}

export const systemRunner: ServiceRunner = {
  run(command, args) {
    const r = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
    if (r.error) return { code: null, output: r.error.message, missing: (r.error as NodeJS.ErrnoException).code === 'ENOENT' };
    return { code: r.status, output: `${r.stdout}${r.stderr}`.trim(), missing: false };
  },
};

/** With another root the service manager would act on files it cannot see: never call it. */
export const offRunner: ServiceRunner = {
  run: () => ({ code: null, output: 'not used with CLAWKEEPER_SERVICE_ROOT', missing: true }),
};

export interface ServiceContext {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  platform: NodeJS.Platform;
  root: string;
  userHome: string;
  uid: number;
  userName: string;
  /** The host's argv (hostProgram()). */
  program: string[];
  runner: ServiceRunner;
}

/** Under Node: node + bin/clawkeeper.js. In the packaged app (no Node there): the app's own binary in headless mode. */
export function hostProgram(execPath: string, versions: NodeJS.ProcessVersions, root = appRoot()): string[] {
  return versions.electron ? [execPath, '--headless'] : [
    serviceNode(execPath, versions.node, root), join(root, 'bin', 'clawkeeper.js'), 'start', '--headless',
  ];
}

export function defaultServiceContext(env: NodeJS.ProcessEnv, out: (l: string) => void, err: (l: string) => void): ServiceContext {
  const root = resolve(env.CLAWKEEPER_SERVICE_ROOT || '/');
  const user = userInfo();
  return {
    env, out, err, root,
    platform: process.platform,
    userHome: homedir(),
    uid: user.uid,
    userName: env.SUDO_USER || user.username,
    program: hostProgram(process.execPath, process.versions),
    runner: root === '/' ? systemRunner : offRunner,
  };
}

interface Manager {
  enable: [string, string[]][];
  disable: [string, string[]][];
  status: [string, string[]];
  /** The pid of the process the service manager started (systemd; launchd says it in `status`). */
  mainPid: [string, string[]] | null;
  /** What the user types when we could not. */
  howToEnable: string;
}

function manager(platform: ServicePlatform, scope: ServiceScope, file: string, uid: number): Manager {
  if (platform === 'darwin') {
    const domain = scope === 'system' ? 'system' : `gui/${uid}`;
    return {
      enable: [['launchctl', ['bootout', `${domain}/${SERVICE_LABEL}`]], ['launchctl', ['bootstrap', domain, file]]],
      disable: [['launchctl', ['bootout', `${domain}/${SERVICE_LABEL}`]]],
      status: ['launchctl', ['print', `${domain}/${SERVICE_LABEL}`]],
      mainPid: null,
      howToEnable: `${scope === 'system' ? 'sudo ' : ''}launchctl bootstrap ${scope === 'system' ? 'system' : 'gui/$(id -u)'} ${file}`,
    };
  }
  const user = scope === 'user' ? ['--user'] : [];
  return {
    enable: [['systemctl', [...user, 'daemon-reload']], ['systemctl', [...user, 'enable', '--now', SYSTEMD_UNIT]]],
    disable: [['systemctl', [...user, 'disable', '--now', SYSTEMD_UNIT]]],
    status: ['systemctl', [...user, 'is-active', SYSTEMD_UNIT]],
    mainPid: ['systemctl', [...user, 'show', '-p', 'MainPID', '--value', SYSTEMD_UNIT]],
    howToEnable: scope === 'user'
      ? `systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT} (and \`loginctl enable-linger $USER\` to run it without a login)`
      : `sudo systemctl daemon-reload && sudo systemctl enable --now ${SYSTEMD_UNIT}`,
  };
}

export function serviceCommand(ctx: ServiceContext, action: string | undefined, system: boolean): number {
  if (ctx.platform !== 'darwin' && ctx.platform !== 'linux') {
    ctx.err(`clawkeeper service: not supported on ${ctx.platform} (macOS launchd and Linux systemd are)`);
    return 1;
  }
  const platform: ServicePlatform = ctx.platform;
  const scope: ServiceScope = system ? 'system' : 'user';
  const file = serviceFilePath(ctx.root, platform, scope, ctx.userHome);
  const m = manager(platform, scope, file, ctx.uid);
  const home = resolveHome(ctx.env);
  if ((action === 'install' || action === 'uninstall') && system && ctx.root === '/' && ctx.uid !== 0) {
    ctx.err(
      `clawkeeper service ${action} --system: writes ${dirname(file)}, which needs root: run it with sudo (CLAWKEEPER_HOME=${home} sudo -E clawkeeper service ${action} --system)`,
    );
    return 1;
  }
  const call = (cmd: [string, string[]]) => ctx.runner.run(cmd[0], cmd[1]);

  if (action === 'install') {
    ensureHome(homePaths(home)); // the service's working directory and log folder
    const env: Record<string, string> = {};
    for (const k of ['CLAWKEEPER_GATEWAY_PORT', 'CLAWKEEPER_SESSION_PORT']) if (ctx.env[k]) env[k] = ctx.env[k];
    const spec: ServiceSpec = {
      platform, scope, program: ctx.program, home, env,
      user: scope === 'system' && ctx.userName !== 'root' ? ctx.userName : undefined,
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, serviceFile(spec), { mode: 0o644 });
    ctx.out(`wrote ${file}`);
    ctx.out(`  runs: ${ctx.program.join(' ')}`);
    ctx.out(`  home: ${home}; log: ${join(home, 'logs', 'host.log')} (rotated at 5 MiB)`);
    for (const [i, cmd] of m.enable.entries()) {
      const r = call(cmd);
      // bootout of a service that is not loaded fails: that is fine.
      if (platform === 'darwin' && i === 0) continue;
      if (r.missing || r.code !== 0) {
        ctx.out(
          `${cmd[0]} ${r.missing ? 'is not available here' : `failed: ${r.output.split('\n')[0]}`}; the file is in place. Enable it with:`,
        );
        ctx.out(`  ${m.howToEnable}`);
        return 0;
      }
    }
    ctx.out(`enabled and started (${platform === 'darwin' ? 'launchd' : 'systemd'}, ${scope}); \`clawkeeper service status\` shows it`);
    return 0;
  }
  if (action === 'uninstall') {
    for (const cmd of m.disable) {
      const r = call(cmd);
      if (r.missing) ctx.out(`${cmd[0]} is not available here; stop the service yourself if it runs`);
    }
    if (!existsSync(file)) {
      ctx.out(`no service file at ${file}: nothing to remove`);
      return 0;
    }
    rmSync(file, { force: true });
    if (platform === 'linux') call(['systemctl', [...(scope === 'user' ? ['--user'] : []), 'daemon-reload']]);
    ctx.out(`removed ${file}`);
    return 0;
  }
  if (action === 'status') return serviceStatus(ctx, platform, file, m, home, call);
  ctx.err('usage: clawkeeper service install|uninstall|status [--system]');
  return 64;
}


/** `clawkeeper service status`: the file, the manager's word, and whether the running host is the service's. */
function serviceStatus(
  ctx: ServiceContext, platform: ServicePlatform, file: string, m: ReturnType<typeof manager>, home: string,
  call: (cmd: [string, string[]]) => ReturnType<ServiceContext['runner']['run']>,
): number {
  const installed = existsSync(file);
  ctx.out(`service file: ${installed ? file : `none (${file})`}`);
  const r = call(m.status);
  const state = r.missing
    ? 'unknown (service manager not reachable here)'
    : platform === 'darwin'
      ? (r.code === 0 ? (/state = (\w+)/.exec(r.output)?.[1] ?? 'loaded') : 'not loaded')
      : r.output.split('\n')[0] || 'unknown';
  ctx.out(`service manager: ${state}`);
  const pid = lockHolderPid(homePaths(home).lock);
  // A host holding the home is the service's only if the manager started that very process
  // (a `clawkeeper start` in a terminal, or the tray app, is not the service).
  const darwinPid = () => Number(/\bpid = (\d+)/.exec(r.output)?.[1] ?? 0);
  const servicePid = r.missing ? null : platform === 'darwin' ? darwinPid() : m.mainPid ? Number(call(m.mainPid).output.trim()) || 0 : null;
  const byService = pid !== null && servicePid === pid;
  const whose = servicePid === null
    ? '; whether the service started it is unknown here'
    : byService
      ? ', started by the service'
      : `, but not started by the service (${servicePid ? `the service's process is pid ${servicePid}` : `the service is ${state}`})`;
  ctx.out(`host: ${pid ? `running (pid ${pid}) with ${home}${whose}` : `not running with ${home}`}`);
  return !installed ? 3 : pid && (byService || servicePid === null) ? 0 : 1;
}

/** "Start the service" from the tray menu: whichever service file is installed, through the manager. */
export function startInstalledService(ctx: Pick<ServiceContext, 'platform' | 'root' | 'userHome' | 'uid' | 'runner'>): boolean {
  if (ctx.platform !== 'darwin' && ctx.platform !== 'linux') return false;
  for (const scope of ['user', 'system'] as const) {
    if (!existsSync(serviceFilePath(ctx.root, ctx.platform, scope, ctx.userHome))) continue;
    const r = ctx.platform === 'darwin'
      ? ctx.runner.run('launchctl', ['kickstart', `${scope === 'system' ? 'system' : `gui/${ctx.uid}`}/${SERVICE_LABEL}`])
      : ctx.runner.run('systemctl', [...(scope === 'user' ? ['--user'] : []), 'start', SYSTEMD_UNIT]);
    return r.code === 0;
  }
  return false;
}
