// The Session Layer process: WebSocket server (ws) on 127.0.0.1, session history in files.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClawError } from '../../../common/errors.ts';
import { homePaths, resolveHome } from '../../home/paths.ts';
import { TokenSource } from '../../auth/token.ts';
import { checkPresented, presentedIn, type AuthedAs } from '../../auth/credentials.ts';
import { SessionRevocations } from '../../auth/session-revocations.ts';
import { watchAuthedClients } from './session-auth-watch.ts';
import { AuthLimiter, allowedOrigins, checkHost, checkOrigin, loopbackNames, sendError, sendJson } from '../guard.ts';
import { listenFailure, listenLoopback } from '../listen-loopback.ts';
import { ConnectionGuard } from '../connection-guard.ts';
import type { Socket } from 'node:net';
import { exitWithHost, onHost, portFromEnv, toHost } from '../ipc.ts';
import { HOST_SESSION_ID, SESSION_ID, SessionStore, SessionWriteError, type SessionEvent } from './session-store.ts';
import { retryAddrInUse, untilActive } from '../standby.ts';

// A warm standby stops here until it takes over: everything below reads the files as they are then
// (the session history included, so a client resuming from its last seq loses nothing).
await untilActive();

const C = 'session';
const MAX_FRAME = 1024 * 1024;
const AUTH_DEADLINE_MS = Number(process.env.CLAWKEEPER_WS_AUTH_MS ?? 5000);
const PING_MS = Number(process.env.CLAWKEEPER_WS_PING_MS ?? 15_000);
// Bounds (README, "Security and limits"): a local program cannot exhaust the layer's memory or fds.
// Authenticated clients have their own cap; those still to authenticate are bounded apart
// (connection-guard.ts: CLAWKEEPER_WS_MAX_PENDING), so a flood of them never keeps one out.
const MAX_CLIENTS = Number(process.env.CLAWKEEPER_WS_MAX_CLIENTS ?? 256);
/** The subprotocol we speak; a browser may add `clawkeeper.session.<session>` to authenticate at the upgrade. */
const PROTOCOL = 'clawkeeper';
const SESSION_PROTOCOL = 'clawkeeper.session.';
const MAX_SUBSCRIPTIONS = 64;

// Port 0 (tests) means any free port: after listening, the port the Host header must name is the one we got.
let port = portFromEnv('CLAWKEEPER_SESSION_PORT', 3020);
const gatewayPort = portFromEnv('CLAWKEEPER_GATEWAY_PORT', 3019);
const paths = homePaths(resolveHome());
const tokens = new TokenSource(paths.token);
const store = new SessionStore(paths.sessions);
store.onProblem = (problem) => toHost({ type: 'storage', problem });
const limiter = new AuthLimiter();
const revocations = new SessionRevocations(paths.revokedSessions);
const origins = allowedOrigins(gatewayPort);
const guard = new ConnectionGuard();

interface Client {
  ws: WebSocket;
  socket: Socket;
  authed: boolean;
  /** What it authenticated with: re-checked while it is connected (rotation, logout, expiry). */
  as?: AuthedAs;
  alive: boolean;
  subs: Set<string>;
}
const clients = new Set<Client>();

function send(c: Client, msg: unknown): void {
  if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(msg));
}

function sendErr(c: Client, code: string, message: string): void {
  send(c, { type: 'error', error: { code, message: `[session] ${message}` } });
}

function broadcast(e: SessionEvent): void {
  const text = JSON.stringify(e);
  for (const c of clients) if (c.authed && c.subs.has(e.session) && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
}

function onFrame(c: Client, raw: Buffer, isBinary: boolean): void {
  if (isBinary) return c.ws.close(1003, 'text JSON frames only');
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('not an object');
  } catch {
    return c.ws.close(1007, 'frames must be JSON objects');
  }
  if (!c.authed) {
    if (msg.type !== 'auth') return c.ws.close(4401, 'authenticate first');
    // {"token"} (the API token) or {"session"} (the dashboard's): a valid one always passes, a wrong
    // one beside it is ignored; only wrong ones are counted (per kind) and, past the limit, 4429.
    const r = checkPresented(
      { bearer: typeof msg.token === 'string' ? msg.token : undefined, sessions: typeof msg.session === 'string' ? [msg.session] : [] },
      tokens, revocations,
    );
    if ('as' in r) {
      c.authed = true;
      c.as = r.as;
      guard.prove(c.socket);
      return send(c, { type: 'auth-ok' });
    }
    const refusals = r.failed.map((kind) => limiter.refuse(kind, C, 'wrong token or expired session'));
    const limited = refusals.some((e) => e.code === 'CK_RATE_LIMITED');
    return c.ws.close(limited ? 4429 : 4401, limited ? 'too many failed attempts; try again later' : 'wrong token or expired session');
  }
  const session = msg.session;
  switch (msg.type) {
    case 'subscribe': {
      if (typeof session !== 'string' || !SESSION_ID.test(session)) return sendErr(
        c, 'CK_INVALID_NAME', 'session must match [a-z0-9][a-z0-9._-]{0,63}',
      );
      const since = typeof msg.since === 'number' && msg.since >= 0 ? msg.since : 0;
      if (!c.subs.has(session) && c.subs.size >= MAX_SUBSCRIPTIONS) return sendErr(
        c, 'CK_LIMIT_REACHED', `at most ${MAX_SUBSCRIPTIONS} sessions per connection; unsubscribe from one first`,
      );
      c.subs.add(session);
      for (const e of store.since(session, since)) send(c, e);
      return send(c, { type: 'subscribed', session, seq: store.lastSeq(session) });
    }
    case 'unsubscribe':
      if (typeof session === 'string') c.subs.delete(session);
      return;
    case 'publish': {
      if (typeof session !== 'string' || !SESSION_ID.test(session)) return sendErr(
        c, 'CK_INVALID_NAME', 'session must match [a-z0-9][a-z0-9._-]{0,63}',
      );
      // Skills are trusted to run, not to speak for the host: a client (whatever its token) never
      // writes the host's own session, which the dashboard and the tray believe.
      if (session === HOST_SESSION_ID) return sendErr(c, 'CK_FORBIDDEN', `only the host publishes to the "${HOST_SESSION_ID}" session`);
      if (!('data' in msg)) return sendErr(c, 'CK_BAD_REQUEST', 'publish needs data');
      const kind = typeof msg.kind === 'string' && /^[a-z0-9._-]{1,40}$/.test(msg.kind) ? msg.kind : 'message';
      const pid = typeof msg.id === 'string' && msg.id.length <= 100 ? msg.id : undefined;
      // A publish sent again after a reconnect (its ack was lost) is acknowledged, not stored twice.
      const earlier = pid ? store.seqOf(session, pid) : undefined;
      if (earlier !== undefined) return send(c, { type: 'ack', session, seq: earlier, id: pid });
      let e: SessionEvent;
      try {
        e = store.append(session, kind, msg.data, pid);
      } catch (err) {
        // Not acknowledged: the client keeps the publish and sends it again later.
        if (err instanceof SessionWriteError) return sendErr(c, 'CK_UNAVAILABLE', err.message);
        throw err;
      }
      broadcast(e);
      return send(c, { type: 'ack', session, seq: e.seq, id: pid ?? null });
    }
    case 'ping':
      return send(c, { type: 'pong' });
    case 'auth':
      return send(c, { type: 'auth-ok' });
    default:
      return sendErr(c, 'CK_BAD_REQUEST', `unknown frame type ${JSON.stringify(String(msg.type)).slice(0, 40)}`);
  }
}

function refuseUpgrade(socket: Duplex, err: ClawError): void {
  const body = JSON.stringify(err.toJSON());
  socket.end(
    `HTTP/1.1 ${err.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const wss = new WebSocketServer({
  noServer: true, maxPayload: MAX_FRAME, clientTracking: false,
  handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
});

/** Sessions offered as subprotocols (`clawkeeper.session.<value>`): how a browser authenticates at the upgrade. */
function sessionsInProtocols(header: string | undefined): string[] {
  return (header ?? '').split(',').map((p) => p.trim()).filter((p) => p.startsWith(SESSION_PROTOCOL)).map(
    (p) => p.slice(SESSION_PROTOCOL.length),
  );
}

function authedCount(): number {
  let n = 0;
  for (const c of clients) if (c.authed) n++;
  return n;
}

// Set once listening (listen-loopback.ts): `[::1]` is a Host name only where ::1 is ours.
let ipv6 = false;

// Node's default header timeout is 60 s: a client trickling headers held a socket that long.
const onRequest = (req: IncomingMessage, res: ServerResponse) => {
  const hostErr = checkHost(req.headers.host, port, C, loopbackNames(ipv6));
  if (hostErr) return sendError(res, hostErr);
  if (req.method === 'GET' && (req.url === '/health' || req.url?.startsWith('/health?'))) {
    return sendJson(res, 200, { status: 'ok', layer: 'session', clients: clients.size, authenticated: authedCount() });
  }
  sendError(res, new ClawError('CK_NOT_FOUND', C, 'this port speaks WebSocket; GET /health is the only HTTP path'));
};

const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  socket.on('error', () => socket.destroy());
  const err = checkHost(req.headers.host, port, C, loopbackNames(ipv6)) ?? checkOrigin(req.headers.origin, origins, C);
  if (err) return refuseUpgrade(socket, err);
  if (authedCount() >= MAX_CLIENTS) return refuseUpgrade(
    socket, new ClawError('CK_UNAVAILABLE', C, `too many connections (${MAX_CLIENTS}); try again later`),
  );
  if (/[?&](token|access_token)=/i.test(req.url ?? '')) return refuseUpgrade(
    socket, new ClawError('CK_UNAUTHORIZED', C, 'a token in the URL is never accepted; send it in the first frame'),
  );
  // Headers (a CLI or script client): the API token, or a session in the dashboard's header or
  // offered as a subprotocol (a browser cannot set headers). Cookies are never read: the browser
  // would send ours to every port on 127.0.0.1.
  const presented = presentedIn(req.headers);
  presented.sessions.push(...sessionsInProtocols(req.headers['sec-websocket-protocol']));
  const r = checkPresented(presented, tokens, revocations);
  const as: AuthedAs | undefined = 'as' in r ? r.as : undefined;
  const authed = as !== undefined;
  if (!('as' in r) && r.failed.length > 0) return refuseUpgrade(socket, limiter.refuse(r.failed[0]!, C, 'wrong token or expired session'));
  if (authed) guard.prove(socket as Socket);
  // Still to authenticate (first frame): a few may wait, for 5 s at most (connection-guard.ts).
  else if (!guard.pend(socket as Socket)) return refuseUpgrade(
    socket,
    new ClawError(
      'CK_UNAVAILABLE', C,
      'too many connections waiting to authenticate; try again later, or authenticate at the upgrade (Authorization header)',
    ),
  );
  wss.handleUpgrade(req, socket, head, (ws) => {
    const c: Client = { ws, socket: socket as Socket, authed, as, alive: true, subs: new Set() };
    clients.add(c);
    const deadline = authed ? undefined : setTimeout(() => !c.authed && ws.close(4401, 'no auth frame within 5 s'), AUTH_DEADLINE_MS);
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data, isBinary) => onFrame(c, data as Buffer, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearTimeout(deadline);
      clients.delete(c);
    });
    if (authed) send(c, { type: 'auth-ok' });
  });
};

setInterval(() => {
  for (const c of clients) {
    if (!c.alive) {
      c.ws.terminate();
      continue;
    }
    c.alive = false;
    c.ws.ping();
  }
}, PING_MS).unref();

watchAuthedClients(clients, tokens, revocations);

onHost((msg) => {
  if (msg.type !== 'event' || !SESSION_ID.test(msg.session)) return;
  try {
    broadcast(store.append(msg.session, msg.kind, msg.data));
  } catch (err) {
    // A full disk loses the host's history lines (fire-and-forget), never the layer.
    if (!(err instanceof SessionWriteError)) throw err;
  }
});
exitWithHost();

const makeServer = () => {
  const server = createServer({ headersTimeout: 5000, requestTimeout: 10_000 }, onRequest).on('upgrade', onUpgrade);
  guard.attach(server);
  return server;
};
// A standby taking over retries while the dead layer's port is not yet released (standby.ts).
retryAddrInUse(() => listenLoopback(makeServer, port)).then(
  (l) => {
    ipv6 = l.ipv6;
    port = l.port;
    for (const s of l.servers) s.on('error', (err) => console.error(`[session] ${err.message}`));
    toHost({ type: 'ready', port: l.port });
  },
  (err: NodeJS.ErrnoException) => {
    toHost({ type: 'fatal', code: err.code ?? 'ERROR', message: listenFailure(err, port, 'CLAWKEEPER_SESSION_PORT') });
    setTimeout(() => process.exit(1), 50);
  },
);
