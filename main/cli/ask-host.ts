import { liveLockHolder } from '../core/host/host-lock.ts';
import { homePaths } from '../core/home/paths.ts';
import { callHost, type HostReply, type HostRequest } from './host-client.ts';

/**
 * Asks the host that holds `home`. Null only when no live host holds host.lock: the one case in
 * which the CLI may do the work itself. A host that holds the lock but does not listen (yet) is
 * given a moment (it may be starting), then reported as an error reply, never as absent.
 */
export async function askHost(home: string, req: HostRequest, waitMs = 3000, replyTimeoutMs?: number): Promise<HostReply | null> {
  const paths = homePaths(home);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const reply = await callHost(home, req, replyTimeoutMs);
    if (reply) return reply;
    const pid = liveLockHolder(paths.lock);
    if (pid === null) return null;
    if (Date.now() > deadline) {
      return {
        id: req.id, ok: false,
        error: {
          code: 'CK_UNAVAILABLE',
          message: `a ClawKeeper host (pid ${pid}) holds ${home} but does not answer on ${paths.hostSocket}; its log says why (or stop it and retry)`,
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
