// @ts-check
// Where the dashboard gets its state. One interface, two implementations:
// - IPC, in the Electron window, through the preload bridge: keeps working while the gateway and
//   session layers are down, since it talks to the host directly;
// - HTTP + WebSocket, in a browser, through the gateway and the session layer, with the session
//   from the one-time-code login (session-auth.js: a header, and the WebSocket's first frame).
import { SessionClient } from 'clawkeeper/common/session-client.js';
import { apiFetch, forgetSession, sessionToken, takeFirstSnapshot } from './session-auth.js';

/**
 * How long the page keeps sending its session to a port that gives it no snapshot (nothing listens,
 * or something that is not our gateway answers). A layer restart takes well under a second; after
 * this, the host is taken to be stopped, and a program that takes the port meanwhile must not keep
 * receiving the session from an open tab (docs/security.md): the page forgets it, stops asking, and
 * says to reload and log in again once ClawKeeper runs.
 */
export const GIVE_UP_MS = 15_000;

/**
 * @typedef {{
 *   onSnapshot: (s: any) => void,
 *   onEvent: (e: { kind: string, data: any }) => void,
 *   onReachability: (r: { gateway: boolean, session: boolean, sessionSeen?: boolean, detail?: string, gaveUp?: string }) => void,
 * }} Sink
 * @typedef {{
 *   start(sink: Sink): void,
 *   run(name: string): Promise<unknown>,
 *   pause(name: string, note?: string): Promise<unknown>,
 *   resume(name: string): Promise<unknown>,
 *   resetBreaker(name: string): Promise<unknown>,
 * }} DataSource
 */

/** @returns {DataSource} */
export function ipcSource(/** @type {any} */ bridge) {
  return {
    start(sink) {
      bridge.onSnapshot((/** @type {any} */ s) => sink.onSnapshot(s));
      bridge.onEvent((/** @type {any} */ e) => sink.onEvent(e));
      sink.onReachability({ gateway: true, session: true });
    },
    run: (name) => ipcCommand(bridge, 'run', name),
    pause: (name, note) => ipcCommand(bridge, 'pause', name, note ? { note } : undefined),
    resume: (name) => ipcCommand(bridge, 'resume', name),
    resetBreaker: (name) => ipcCommand(bridge, 'reset-breaker', name),
  };
}

/**
 * The host answers an IPC command as it answers host.sock (`{ok, result}` or `{ok: false, error}`):
 * a refusal (an invalid skill, 422 over HTTP) must reach the window's error line, not vanish.
 * @param {any} bridge @param {string} op @param {string} name @param {{ note?: string }} [opts]
 */
async function ipcCommand(bridge, op, name, opts) {
  const reply = await (opts ? bridge.command(op, name, opts) : bridge.command(op, name));
  if (reply && reply.ok === false) throw new Error(reply.error?.message ?? `${op} was refused`);
  return reply && 'result' in reply ? reply.result : reply;
}

/** @returns {DataSource} */
export function httpSource(pollMs = 500) {
  /** @type {SessionClient | null} */
  let ws = null;
  let gatewayOk = true;
  let sessionOk = false;
  let sessionSeen = false;
  /** The ETag of the last snapshot shown. */
  let tag = '';
  /** An API answer's body; a refusal (4xx, 5xx) throws its message. @param {Response} res */
  const answer = async (res) => {
    const body = await res.json();
    if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    return body;
  };
  /** @param {string} method @param {string} path @param {object} [body] */
  const call = async (method, path, body = {}) => answer(
    await apiFetch(path, method === 'GET' ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
  return {
    start(sink) {
      let gaveUp = '';
      const report = (/** @type {string | undefined} */ detail = undefined) =>
        sink.onReachability({ gateway: gatewayOk, session: sessionOk, sessionSeen, detail, ...(gaveUp ? { gaveUp } : {}) });
      const poll = async () => {
        try {
          // The first one was asked for before the modules loaded (first-snapshot.js), if it could be;
          // later ones name the snapshot we have, and the gateway answers 304 while it is the same.
          const early = takeFirstSnapshot();
          const res = early ? await early : await apiFetch('/api/snapshot', tag ? { headers: { 'if-none-match': tag } } : {});
          if (res.status === 304) {
            unreachableSince = 0;
            gatewayOk = true;
            return report();
          }
          const snap = await answer(res);
          unreachableSince = 0;
          tag = res.headers.get('etag') ?? '';
          gatewayOk = true;
          sink.onSnapshot(snap);
          if (!ws && snap.ports?.session) {
            ws = liveEvents(snap.ports.session, sink, (st) => {
              sessionOk = st === 'open';
              if (sessionOk) sessionSeen = true;
              report();
            });
          }
          report();
        } catch (err) {
          gatewayOk = false;
          // Nobody answered (fetch's TypeError), or something that is not our gateway's snapshot did
          // (an error status, not JSON): both count toward giving the session up.
          unreachableSince ||= Date.now();
          if (unreachableSince && Date.now() - unreachableSince >= GIVE_UP_MS) return giveUp();
          report(String(err));
        }
      };
      const giveUp = () => {
        clearInterval(timer);
        forgetSession();
        ws?.close();
        ws = null;
        gaveUp = `the gateway has not answered for ${GIVE_UP_MS / 1000} s, so this page forgot its login`
          + ' (nothing else may receive it on that port); reload once ClawKeeper runs again and log in with clawkeeper open';
        gatewayOk = false;
        sessionOk = false;
        report();
      };
      let unreachableSince = 0;
      void poll();
      const timer = setInterval(() => void poll(), pollMs);
    },
    run: (name) => call('POST', `/api/skills/${encodeURIComponent(name)}/run`),
    pause: (name, note) => call('POST', `/api/skills/${encodeURIComponent(name)}/pause`, note ? { note } : {}),
    resume: (name) => call('POST', `/api/skills/${encodeURIComponent(name)}/resume`),
    resetBreaker: (name) => call('POST', `/api/skills/${encodeURIComponent(name)}/reset-breaker`),
  };
}

/**
 * The session layer's live events, from now on (the snapshot already holds the past). The session
 * as a subprotocol authenticates at the upgrade, which a flood of connections still waiting to
 * authenticate cannot keep out; the first frame says it again.
 * @param {number} port @param {Sink} sink @param {(state: string) => void} onState
 */
function liveEvents(port, sink, onState) {
  const ws = new SessionClient({
    url: `ws://${location.hostname}:${port}/`,
    open: (url) => {
      const session = sessionToken();
      return /** @type {any} */ (session ? new WebSocket(url, ['clawkeeper', `clawkeeper.session.${session}`]) : new WebSocket(url));
    },
    session: sessionToken,
    onEvent: (e) => sink.onEvent({ kind: e.kind, data: e.data }),
    onState,
    maxBackoffMs: 2000,
  });
  ws.subscribe('clawkeeper', Number.MAX_SAFE_INTEGER);
  return ws;
}
