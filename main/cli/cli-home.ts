import { liveLockHolder } from '../core/host/host-lock.ts';
import { inspectCurrentHost } from '../core/home/current-host.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';

/**
 * The environment a command runs with: CLAWKEEPER_HOME and the ports of the running host when
 * the user set none (the pointer `clawkeeper start` leaves), so `status`, `run`, `open`... reach
 * the host started in another terminal. An explicit CLAWKEEPER_HOME always wins; an explicit
 * port variable wins over the pointer's port. A pointer whose host is gone, or that is not the
 * user's own (current-host.ts), is never followed, and `note` says so, as it says which home is
 * used when it is not the default one.
 */
export function followRunningHost(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; note: string | null } {
  if (env.CLAWKEEPER_HOME && env.CLAWKEEPER_HOME.trim() !== '') return { env, note: null };
  const { host: ptr, problem } = inspectCurrentHost(env);
  const fallback = resolveHome(env);
  if (problem) return { env, note: `clawkeeper: ${problem}; using ${fallback} (set CLAWKEEPER_HOME to choose)` };
  if (!ptr) return { env, note: null };
  if (liveLockHolder(homePaths(ptr.home).lock) !== ptr.pid) {
    const note = ptr.home === fallback
      ? null
      : `clawkeeper: the host started last (pid ${ptr.pid}, home ${ptr.home}) is not running; using ${fallback} (set CLAWKEEPER_HOME to choose)`;
    return { env, note };
  }
  const followed: NodeJS.ProcessEnv = { ...env, CLAWKEEPER_HOME: ptr.home };
  if (!env.CLAWKEEPER_GATEWAY_PORT) followed.CLAWKEEPER_GATEWAY_PORT = String(ptr.gatewayPort);
  if (!env.CLAWKEEPER_SESSION_PORT) followed.CLAWKEEPER_SESSION_PORT = String(ptr.sessionPort);
  const note = ptr.home === fallback
    ? null
    : `clawkeeper: using the running host's home ${ptr.home} (pid ${ptr.pid}; set CLAWKEEPER_HOME to choose another)`;
  return { env: followed, note };
}
