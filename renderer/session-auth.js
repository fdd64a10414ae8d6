// @ts-check
// The dashboard's credential in a browser: the session bought with a one-time login code, kept in
// sessionStorage (it belongs to this exact origin, port included, and to this tab; a reload keeps
// it) and sent in a header with every request this page makes to its own gateway. Never a cookie:
// browsers send cookies to every port of 127.0.0.1, so any local program would receive one.

const KEY = 'clawkeeper.session';
export const SESSION_HEADER = 'X-ClawKeeper-Session';

/** @returns {string | null} */
export function sessionToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the page then asks to log in again
  }
}

/** @param {string} session */
export function keepSession(session) {
  sessionStorage.setItem(KEY, session);
}

export function forgetSession() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}

/**
 * fetch() of one of our own API paths, with the session header. 401 means the session is gone
 * (expired, logged out, token rotated): it is forgotten and the login page shown.
 * @param {string} path @param {RequestInit} [init]
 */
export async function apiFetch(path, init = {}) {
  if (!path.startsWith('/')) throw new Error(`apiFetch: ${path} is not a path of this server`);
  const headers = new Headers(init.headers);
  const session = sessionToken();
  if (session) headers.set(SESSION_HEADER, session);
  // credentials: 'omit': no cookie, even one a program on another port planted for 127.0.0.1.
  return loggedIn(await fetch(path, { ...init, headers, credentials: 'omit' }));
}

/** @param {Response} res */
function loggedIn(res) {
  if (res.status === 401) {
    forgetSession();
    location.replace('/login');
    throw new Error('not logged in');
  }
  return res;
}

/**
 * The response to the GET /api/snapshot that first-snapshot.js started before the modules loaded
 * (the same request apiFetch makes: path, header, no cookie), handed out once; null when it started
 * none (no session yet, the Electron window) or it was taken already.
 * @returns {Promise<Response> | null}
 */
export function takeFirstSnapshot() {
  const w = /** @type {any} */ (window);
  const pending = /** @type {Promise<Response> | undefined} */ (w.clawkeeperFirstSnapshot);
  delete w.clawkeeperFirstSnapshot;
  return pending ? pending.then(loggedIn) : null;
}
