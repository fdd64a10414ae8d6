// @ts-check
// The dashboard's reads of the gateway's API beyond the snapshot (skill page, runs view, a run's
// saved reply). One place, so that how a request carries the browser's credentials is decided once.
// In the Electron window the same paths are answered by the app:// protocol from the host's files.
// In a browser every request carries the session in a header (session-auth.js), never a cookie.
import { apiFetch } from './session-auth.js';

/** @param {string} path */
export async function getJson(path) {
  const res = await apiFetch(path);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}
