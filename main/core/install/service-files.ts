// The host as an always-on service: the files, as pure functions of a spec, and where they go.
// macOS: a LaunchAgent (per user, runs while logged in) or a LaunchDaemon (--system, runs without
// a login). Linux: a systemd user unit or a system unit. The host writes its own rotating log
// (CLAWKEEPER_LOG_FILE), so launchd's StandardOutPath, which launchd never rotates, is not used
// for it.
import { join } from 'node:path';

export const SERVICE_LABEL = 'org.clawkeeper.host';
export const SYSTEMD_UNIT = 'clawkeeper.service';

export type ServicePlatform = 'darwin' | 'linux';
export type ServiceScope = 'user' | 'system';

export interface ServiceSpec {
  platform: ServicePlatform;
  scope: ServiceScope;
  /** Absolute argv of the host: [node, bin/clawkeeper.js, 'start', '--headless'] or [the app's binary, '--headless']. */
  program: string[];
  /** Absolute CLAWKEEPER_HOME. */
  home: string;
  /** A system service runs as this user (so it uses that user's home folder); none = root. */
  user?: string;
  /** Extra environment (ports when not the defaults). */
  env?: Record<string, string>;
}

/** Where the service file goes under `root` ("/" for real; a temp folder in tests). */
export function serviceFilePath(root: string, platform: ServicePlatform, scope: ServiceScope, userHome: string): string {
  if (platform === 'darwin') {
    return scope === 'system' ? join(root, 'Library', 'LaunchDaemons', `${SERVICE_LABEL}.plist`) : join(
      root, userHome, 'Library', 'LaunchAgents', `${SERVICE_LABEL}.plist`,
    );
  }
  return scope === 'system' ? join(root, 'etc', 'systemd', 'system', SYSTEMD_UNIT) : join(
    root, userHome, '.config', 'systemd', 'user', SYSTEMD_UNIT,
  );
}

/** The environment every service gets: its home, and the host's own rotating log. */
export function serviceEnv(spec: ServiceSpec): Record<string, string> {
  return { CLAWKEEPER_HOME: spec.home, CLAWKEEPER_LOG_FILE: join(spec.home, 'logs', 'host.log'), ...spec.env };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function launchdPlist(spec: ServiceSpec): string {
  const env = Object.entries(serviceEnv(spec)).map(([k, v]) => `      <key>${xml(k)}</key>\n      <string>${xml(v)}</string>`).join('\n');
  const args = spec.program.map((a) => `      <string>${xml(a)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>${SERVICE_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
${args}
    </array>
    <key>EnvironmentVariables</key>
    <dict>
${env}
    </dict>
    <key>WorkingDirectory</key>
    <string>${xml(spec.home)}</string>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <!-- Interactive: App Nap and timer coalescing would otherwise delay a background job's timers. -->
    <key>ProcessType</key>
    <string>Interactive</string>
    <!-- launchd would restart a crash loop at once; 10 s between attempts. -->
    <key>ThrottleInterval</key>
    <integer>10</integer>
    <!-- The host logs to CLAWKEEPER_LOG_FILE and rotates it; launchd never rotates these, so
         stdout is discarded and stderr (a crash trace at most) is a small file the host trims at start. -->
    <key>StandardOutPath</key>
    <string>/dev/null</string>
    <key>StandardErrorPath</key>
    <string>${xml(
      join(spec.home, 'logs', 'host.stderr.log'),
    )}</string>${spec.scope === 'system' && spec.user ? `\n    <key>UserName</key>\n    <string>${xml(spec.user)}</string>` : ''}
  </dict>
</plist>
`;
}

/** systemd quoting for ExecStart and Environment= (double quotes, backslash escapes, % doubled). */
const sdQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;

export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(serviceEnv(spec)).map(([k, v]) => `Environment=${sdQuote(`${k}=${v}`)}`);
  const lines = [
    '[Unit]',
    'Description=ClawKeeper host (scheduled skills, gateway and session layers)',
    'Documentation=https://github.com/clawkeeper/clawkeeper#desktop-app-start-service-package',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.program.map(sdQuote).join(' ')}`,
    ...env,
    `WorkingDirectory=${spec.home.replace(/%/g, '%%')}`,
    ...(spec.scope === 'system' && spec.user ? [`User=${spec.user}`] : []),
    'Restart=always',
    'RestartSec=2',
    // SIGTERM lets in-flight runs finish within their deadline (default 300 s), then SIGKILL.
    'KillMode=mixed',
    'TimeoutStopSec=330',
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ];
  return lines.join('\n');
}

export function serviceFile(spec: ServiceSpec): string {
  return spec.platform === 'darwin' ? launchdPlist(spec) : systemdUnit(spec);
}
