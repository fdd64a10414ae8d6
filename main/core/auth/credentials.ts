import type { IncomingHttpHeaders } from 'node:http';
import type { SessionRevocations } from './session-revocations.ts';
import type { TokenSource } from './token.ts';

/**
 * The dashboard's session travels in this header, never in a cookie: cookies are not scoped by
 * port (every program on 127.0.0.1 would receive one), while the page keeps its session in
 * sessionStorage, which belongs to our exact origin (port included), and sends it only in
 * requests it makes to our own port.
 */
export const SESSION_HEADER = 'x-clawkeeper-session';

/** What a caller proved, kept while a connection lives (re-checked: rotation, logout, expiry). */
export interface AuthedAs {
  /** The token in force when it authenticated: a rotation voids the connection. */
  token: string;
  /** For a browser session: its id (logout revokes it) and expiry; null for the API token. */
  session: { id: string; expiresAt: number } | null;
}

/** The credentials a request (or a WebSocket's first frame) presents: the API token and sessions. */
export interface Presented {
  bearer?: string | undefined;
  sessions: string[];
}

/** What the headers carry: `Authorization: Bearer <token>` and any number of session values. */
export function presentedIn(headers: IncomingHttpHeaders): Presented {
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  const raw = headers[SESSION_HEADER];
  // Node joins a repeated header with ", ": each value is tried (a session never holds a comma).
  const sessions = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  return { bearer, sessions };
}

export type CredentialCheck = { as: AuthedAs } | { failed: ('bearer' | 'session')[] };

/**
 * The first valid credential wins; a wrong one beside a valid one is ignored (a stale or planted
 * value must never lock the user out). `failed` lists the kinds that were presented and were
 * all wrong (empty: nothing was presented).
 */
export function checkPresented(p: Presented, tokens: TokenSource, revocations: SessionRevocations): CredentialCheck {
  if (p.bearer !== undefined && tokens.matches(p.bearer)) return { as: { token: tokens.current(), session: null } };
  for (const value of p.sessions.slice(0, 8)) {
    const session = tokens.sessionOf(value);
    if (session && !revocations.isRevoked(session.id)) return { as: { token: tokens.current(), session } };
  }
  const failed: ('bearer' | 'session')[] = [];
  if (p.bearer !== undefined) failed.push('bearer');
  if (p.sessions.length > 0) failed.push('session');
  return { failed };
}
