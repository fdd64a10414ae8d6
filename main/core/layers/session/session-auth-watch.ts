import type { WebSocket } from 'ws';
import type { SessionRevocations } from '../../auth/session-revocations.ts';
import type { TokenSource } from '../../auth/token.ts';
import type { AuthedAs } from '../../auth/credentials.ts';


const RECHECK_MS = Number(process.env.CLAWKEEPER_WS_RECHECK_MS ?? 1000);

/**
 * An authenticated WebSocket stays authenticated only while what it showed is still good: once a
 * second, every live connection is closed 4401 when the token was rotated since it authenticated,
 * its browser session was revoked by a logout, or it expired. A client re-authenticates with what
 * it has now (the session client reconnects by itself).
 */
export function watchAuthedClients(
  clients: Iterable<{ ws: WebSocket; authed: boolean; as?: AuthedAs }>, tokens: TokenSource,
  revocations: SessionRevocations,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    const now = Date.now();
    const current = tokens.current();
    for (const c of clients) {
      if (!c.authed || !c.as) continue;
      let why: string | null = null;
      if (c.as.token !== current) why = 'the token was rotated; authenticate again';
      else if (c.as.session && c.as.session.expiresAt <= now) why = 'the browser session expired; log in again';
      else if (c.as.session && revocations.isRevoked(c.as.session.id)) why = 'the browser session was logged out';
      if (why) {
        c.authed = false;
        c.ws.close(4401, why);
      }
    }
  }, RECHECK_MS);
  timer.unref();
  return timer;
}
