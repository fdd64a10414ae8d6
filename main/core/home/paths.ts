import { mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The home folder layout of the contract (ARCHITECTURE.md, "Home folder"). */
export interface HomePaths {
  home: string;
  skills: string;
  status: string;
  runs: string;
  logs: string;
  sessions: string;
  health: string;
  memory: string;
  token: string;
  config: string;
  lock: string;
  hostState: string;
  /** The host's local command socket (CLI → host), inside the 0700 home. */
  hostSocket: string;
  /** Prompt skills' replies: outputs/<skill>/<slot>.md */
  outputs: string;
  /** Circuit breaker state per skill (survives restarts). */
  breakers: string;
  /** The first slot each skill waiting for a dependency owes (survives restarts). */
  deferred: string;
  /** Browser sessions ended by logout (id → expiry), read by both layers. */
  revokedSessions: string;
  /** Alerts not delivered yet, the limits' state and each channel's last delivery (alerts/outbox.ts). */
  alertsOutbox: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CLAWKEEPER_HOME;
  return resolve(fromEnv && fromEnv.trim() !== '' ? fromEnv : join(homedir(), '.openclaw'));
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    skills: join(home, 'skills'),
    status: join(home, 'skills', 'status'),
    runs: join(home, 'runs'),
    logs: join(home, 'logs'),
    sessions: join(home, 'sessions'),
    health: join(home, 'health'),
    memory: join(home, 'memory'),
    token: join(home, 'token'),
    config: join(home, 'config.json'),
    lock: join(home, 'host.lock'),
    // Not a skill name (those start with [a-z0-9]), so it can never collide with a ledger.
    hostState: join(home, 'runs', '_host.json'),
    hostSocket: join(home, 'host.sock'),
    outputs: join(home, 'outputs'),
    breakers: join(home, 'runs', '_breakers.json'),
    deferred: join(home, 'runs', '_deferred.json'),
    revokedSessions: join(home, 'revoked-sessions.json'),
    alertsOutbox: join(home, 'alerts', 'outbox.json'),
  };
}

/** Creates the folders the host writes to; the home folder itself is private (0700). */
export function ensureHome(paths: HomePaths): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  chmodSync(paths.home, 0o700);
  for (const dir of [paths.skills, paths.status, paths.runs, paths.logs, paths.sessions, paths.health]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}
