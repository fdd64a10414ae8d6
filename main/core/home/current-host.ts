// The running-host pointer: `clawkeeper start` leaves one, so a later command in any terminal
// finds that host's home and ports without CLAWKEEPER_HOME and the port variables repeated
// (docs/cli.md, "Which host it talks to"). Only a hint: a reader checks that the pid it names
// still holds that home's host.lock before following it. The folder may be shared with other
// users (a common XDG_CONFIG_HOME): a pointer another user planted, or a link standing for it, is
// neither followed nor written through (issue: running-host pointer planted).
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileNoFollow } from './no-follow.ts';

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

/**
 * Why a file or folder is not the caller's own to trust (null when it is): a link, another user's,
 * or (`writable` checked) writable by everyone or by a group other than the user's own (whose
 * members could swap what it holds). `follow`: a link to the caller's own folder is fine (a home).
 */
function notOwnProblem(path: string, what: string, opts: { follow?: boolean; writable?: boolean } = {}): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  const st = opts.follow ? statSync(path) : lstatSync(path);
  if (st.isSymbolicLink()) return `${what} ${path} is a symbolic link`;
  if (st.uid !== uid) return `${what} ${path} belongs to another user (uid ${st.uid})`;
  const othersWrite = st.mode & 0o002 || (st.mode & 0o020 && st.gid !== process.getgid?.());
  if (opts.writable !== false && othersWrite) return `${what} ${path} is writable by other users (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** Writes the pointer into a private folder (made 0700), never through a link at its name; a shared folder is refused. */
export function writeCurrentHost(env: NodeJS.ProcessEnv, host: CurrentHost): void {
  const file = currentHostFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const problem = notOwnProblem(dirname(file), 'the folder');
  if (problem) throw new Error(`${problem}: another user could plant or redirect the pointer there`);
  writeFileNoFollow(file, JSON.stringify(host) + '\n', 0o600);
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

/** The pointer, or null when there is none, it is not one (a broken file is no pointer) or it is not to be trusted. */
export function readCurrentHost(env: NodeJS.ProcessEnv): CurrentHost | null {
  return inspectCurrentHost(env).host;
}

/**
 * The pointer and, when it is ignored for not being the caller's own, why (for the command to say).
 * Trusted only when the file and its folder are the caller's (no link, no group or other write)
 * and so are the home it names and that home's host.lock: a pointer is otherwise a way for
 * another user to send this user's commands, and their session token, to a home of theirs.
 */
export function inspectCurrentHost(env: NodeJS.ProcessEnv): { host: CurrentHost | null; problem: string | null } {
  const file = currentHostFile(env);
  let v: Partial<CurrentHost>;
  try {
    const problem = notOwnProblem(dirname(file), 'its folder') ?? notOwnProblem(file, 'it');
    if (problem) return { host: null, problem: `the running-host pointer ${file} is ignored: ${problem}` };
    v = JSON.parse(readNoFollow(file)) as Partial<CurrentHost>;
  } catch {
    return { host: null, problem: null };
  }
  if (!v || typeof v.home !== 'string' || !Number.isInteger(v.pid) || !Number.isInteger(v.gatewayPort)
    || !Number.isInteger(v.sessionPort)) return { host: null, problem: null };
  const host = {
    home: v.home, pid: v.pid!, gatewayPort: v.gatewayPort!, sessionPort: v.sessionPort!,
    startedAt: String(v.startedAt ?? ''),
  };
  let problem: string | null;
  try {
    problem = notOwnProblem(host.home, 'the home', { follow: true, writable: false }) ?? notOwnProblem(
      join(host.home, 'host.lock'), 'its host.lock', { writable: false },
    );
  } catch (err) {
    // No home or no lock: no host there, which the caller finds and says by itself.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { host, problem: null };
    problem = `the home ${host.home} cannot be checked (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  return problem ? { host: null, problem: `the running-host pointer ${file} is ignored: ${problem}` } : { host, problem: null };
}

/** Reads a file only if it is a regular file reached without a link (one swapped in after the lstat is not followed). */
function readNoFollow(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${file} is not a file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
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
