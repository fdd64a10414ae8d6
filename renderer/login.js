// @ts-check
// The login page: takes the one-time code from the URL fragment (never sent to any server) or
// from the form, trades it for an HttpOnly cookie, and goes to the dashboard.
const status = /** @type {HTMLElement} */ (document.getElementById('login-status'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('login-form'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('code'));

/** @param {string} code */
async function login(code) {
  history.replaceState(null, '', '/login'); // the code leaves the address bar at once
  const res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  if (res.ok) {
    location.replace('/');
    return;
  }
  const body = await res.json().catch(() => ({}));
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
