// @ts-check
// The login page: takes the one-time code from the URL fragment (never sent to any server) or
// from the form, trades it for a session kept in this tab's sessionStorage (session-auth.js: sent
// in a header to our own port only, never a cookie), and goes to the dashboard.
import { forgetSession, keepSession } from './session-auth.js';
const status = /** @type {HTMLElement} */ (document.getElementById('login-status'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('login-form'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('code'));

/** @param {string} code */
async function login(code) {
  history.replaceState(null, '', '/login'); // the code leaves the address bar at once
  forgetSession();
  const res = await fetch('/api/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  });
  const body = await res.json().catch(() => ({}));
  if (res.ok && typeof body?.session === 'string') {
    keepSession(body.session);
    location.replace('/');
    return;
  }
  status.textContent = body?.error?.message ?? `Login failed (${res.status}).`;
  form.hidden = false;
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('code');
if (fromHash) void login(fromHash);
else {
  status.textContent = 'Run `clawkeeper open` and open the link it prints, or paste its code here.';
  form.hidden = false;
}
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void login(input.value.trim());
});
