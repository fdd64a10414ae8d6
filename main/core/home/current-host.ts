// The running-host pointer: `clawkeeper start` leaves one, so a later command in any terminal
// finds that host's home and ports without CLAWKEEPER_HOME and the port variables repeated
// (docs/cli.md, "Which host it talks to"). Only a hint: a reader checks that the pid it names
// still holds that home's host.lock before following it.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface CurrentHost {
  home: string;
  pid: number;
  gatewayPort: number;
  sessionPort: number;
  startedAt: string;
}

/** `${XDG_CONFIG_HOME:-~/.config}/clawkeeper/current-host.json`: one place on macOS and Linux. */
export function currentHostFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(config, 'clawkeeper', 'current-host.json');
}

export function writeCurrentHost(env: NodeJS.ProcessEnv, host: CurrentHost): void {
  const file = currentHostFile(env);
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, JSON.stringify(host) + '\n', { mode: 0o600, fsync: false });
}

/** Removes the pointer if it is still this process's (a newer host's pointer is left alone). */
export function clearCurrentHost(env: NodeJS.ProcessEnv, pid: number): void {
  const file = currentHostFile(env);
  if (readCurrentHost(env)?.pid !== pid) return;
  try {
    rmSync(file, { force: true });
  } catch {
    // A pointer left behind is harmless: readers check that its pid still holds the home.
  }
}

/** The pointer, or null when there is none or it is not one (a broken file is no pointer). */
export function readCurrentHost(env: NodeJS.ProcessEnv): CurrentHost | null {
  let v: Partial<CurrentHost>;
  try {
    v = JSON.parse(readFileSync(currentHostFile(env), 'utf8')) as Partial<CurrentHost>;
  } catch {
    return null;
  }
  if (!v || typeof v.home !== 'string' || !Number.isInteger(v.pid) || !Number.isInteger(v.gatewayPort)
    || !Number.isInteger(v.sessionPort)) return null;
  return { home: v.home, pid: v.pid!, gatewayPort: v.gatewayPort!, sessionPort: v.sessionPort!, startedAt: String(v.startedAt ?? '') };
}

/**
 * Leaves the pointer for a host that has just started (a write that fails is logged: the host
 * runs on, and other terminals need CLAWKEEPER_HOME). Returns what removes it at a clean stop.
 */
export function leaveRunningHostPointer(
  env: NodeJS.ProcessEnv, host: Omit<CurrentHost, 'pid' | 'startedAt'>, logger: { warn: (m: string) => void },
): () => void {
  try {
    writeCurrentHost(env, { ...host, pid: process.pid, startedAt: new Date().toISOString() });
  } catch (err) {
    logger.warn(
      `cannot leave the running-host pointer ${currentHostFile(env)} (${(err as Error).message}): other terminals need CLAWKEEPER_HOME=${host.home}`,
    );
  }
  return () => clearCurrentHost(env, process.pid);
}
