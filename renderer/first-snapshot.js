// @ts-check
// The first snapshot, asked for while the dashboard's modules are still loading rather than after
// (a classic script runs as soon as it arrives; app.js runs only once its whole module graph has).
// A <link rel=preload> cannot do it: the session travels in a header, not a cookie. What this
// sends is exactly what session-auth.js's apiFetch sends: our own origin (a path, never a URL),
// the session from this tab's sessionStorage in X-ClawKeeper-Session, no cookie. data-sources.js
// takes the pending response once (session-auth.js: takeFirstSnapshot), a 401 included.
// A file, not an inline script: the dashboard's CSP allows no inline script but the import map.
(() => {
  const w = /** @type {any} */ (window);
  // The Electron window gets its state over IPC (its preload's bridge), never from the gateway.
  if (w.clawkeeper) return;
  /** @type {string | null} */
  let session = null;
  try {
    session = sessionStorage.getItem('clawkeeper.session');
  } catch {
    return; // storage disabled: the page asks to log in again
  }
  if (!session) return; // not logged in: app.js's first request sends the login page
  w.clawkeeperFirstSnapshot = fetch('/api/snapshot', { headers: { 'X-ClawKeeper-Session': session }, credentials: 'omit' });
  // Taken by data-sources.js; a failure is handled there (as any failed poll), never unhandled here.
  w.clawkeeperFirstSnapshot.catch(() => {});
})();
