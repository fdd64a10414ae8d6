// @ts-check
// When the browser cannot reach the gateway, the figures that only the gateway's snapshot brings
// (metrics, next runs, success rates, the timeline) stop moving: they are greyed and dated "as of
// HH:MM:SS" instead of shown as current. Runs and layer changes still arrive from the session.
import { h } from 'preact';
import htm from 'htm';
import { formatTime } from 'clawkeeper/common/time-words.js';

const html = /** @type {any} */ (htm).bind(h);

/** "as of 14:05:09", written as every view writes a time (time-words.js). @param {string} iso */
export const clockTime = (iso) => formatTime(iso, { seconds: true });

/** @param {{ reach: { gateway: boolean, session: boolean, gaveUp?: string }, at?: string }} p */
export function StaleNote({ reach, at }) {
  if (reach.gateway || !at) return null;
  // The page stopped asking (data-sources.js GIVE_UP_MS): say so, and what to do.
  if (reach.gaveUp) return html`<p class="stale-note" role="alert"
    data-gave-up="true">Figures in grey are as of ${clockTime(at)}: ${reach.gaveUp}.</p>`;
  const live = reach.session ? '; runs and layer changes still arrive live from the session layer' : '';
  return html`<p class="stale-note" role="status"
    data-stale-as-of=${at}>The gateway does not answer: figures in grey are as of ${clockTime(at)}${live}.</p>`;
}
