// @ts-check
// Where alerts and pings go (config.json "alerts", skill.json "ping", "heartbeat"): each
// channel's last delivery and last error, and what waits in the outbox. Self-contained: it
// renders the snapshot's `alerts` (main/common/alerts.ts) and nothing else. Never a secret: the
// host sends names only.
import { h } from 'preact';
import htm from 'htm';
import { COLOR_ICON } from 'clawkeeper/common/health.js';

const html = /** @type {any} */ (htm).bind(h);

/** @param {string | null} iso @param {number} now */
function ago(iso, now) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 90 ? `${s}s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/** A target is red while its last attempt failed after its last delivery. @param {any} t */
function failing(t) {
  return t.lastError !== null && (t.lastDelivery === null || Date.parse(t.lastError.at) >= Date.parse(t.lastDelivery));
}

/** @param {{ alerts?: any, now: number }} p */
export function AlertsPanel({ alerts, now }) {
  const targets = alerts?.targets ?? [];
  const problems = alerts?.problems ?? [];
  if (targets.length === 0 && problems.length === 0) {
    return html`<p class="muted"
      data-alerts="none">No alert channels: alerts show only on this machine. See docs/alerts.md to get them on a phone.</p>`;
  }
  return html`<section class="panel alerts" aria-label="Alert channels and pings">
    ${problems.map((/** @type {string} */ p) => html`<p class="c-red badge" data-alert-problem>${p}</p>`)}
    <table>
      <thead><tr><th>Where</th><th>Type</th><th>Last delivery</th><th>Last error</th><th>Waiting</th></tr></thead>
      <tbody>
        ${targets.map((/** @type {any} */ t) => {
          const bad = failing(t);
          return html`<tr data-target=${t.name} data-failing=${bad ? 'true' : 'false'}>
            <td><strong>${t.name}</strong></td>
            <td>${t.type}</td>
            <td>${ago(t.lastDelivery, now)}</td>
            <td class=${bad ? 'c-red' : 'muted'}>${t.lastError ? html`<span aria-hidden="true">
            ${bad ? COLOR_ICON.red : ''}</span> ${t.lastError.message} (${ago(t.lastError.at, now)})` : '—'}</td>
            <td>${t.pending > 0 ? html`<span class="c-amber">
            ${t.pending}${t.held ? ' — held until the network is back' : ''}</span>` : '0'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}
