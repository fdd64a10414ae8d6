// @ts-check
// Runs as a table, on a skill's page and in the runs view: when, why it ran, how it ended (a
// provider's failure drawn apart from the skill's own), how long, tokens, delivery, the error, and
// links to its log and its saved reply (which opens on the run's own row). One card per run on a phone.
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { ago } from './view-model.js';
import { Badge, OutcomeBadge, providerFault } from './badge.js';
import { runHref } from './route.js';
import { RunOutput } from './run-output.js';

const html = /** @type {any} */ (htm).bind(h);
const ROWS = 100;

/** @param {number | null} ms */
export const dur = (ms) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);

/** @param {{ delivery: { status: string, error?: string } | null }} p */
function Delivery({ delivery: d }) {
  if (!d) return html`<span class="muted">—</span>`;
  return d.status === 'delivered'
    ? html`<${Badge} color="green">delivered</${Badge}>`
    : html`<${Badge} color="red" title=${d.error ?? ''}>not delivered</${Badge}>`;
}

/**
 * @param {{ runs: any[], now: number, selected?: string | null, output?: string | null, showSkill?: boolean, paged?: boolean }} p
 *   `selected`: the run whose log is shown; `output`: the run whose reply is open on its row;
 *   `showSkill`: a column for the skill (the runs view); `paged`: the caller pages, show every row given.
 */
export function RunsTable({ runs, now, selected = null, output = null, showSkill = false, paged = false }) {
  const want = output ? runs.findIndex((r) => r.run_id === output) + 1 : 0;
  const [rows, setRows] = useState(ROWS);
  const shown = paged ? runs : runs.slice(0, Math.max(rows, want));
  const cols = showSkill ? 9 : 8;
  return html`<div class="panel"><table class=${`runs${showSkill ? ' with-skill' : ''}`}>
    <colgroup>${showSkill ? html`<col class="r-skill" />` : ''}<col class="r-when" /><col class="r-trigger" />
    <col class="r-outcome" /><col class="r-dur" /><col class="r-tok" /><col class="r-deliv" />
    <col class="r-err" /><col class="r-links" /></colgroup>
    <thead><tr>${showSkill ? html`<th>Skill</th>` : ''}<th>Started</th><th>Trigger</th><th>Outcome</th>
    <th>Duration</th><th>Tokens</th><th>Delivery</th><th>Error</th><th><span class="sr-only">Log and reply</span></th></tr></thead>
    <tbody>${shown.map((r) => html`<tr data-run=${r.run_id} data-outcome=${r.outcome ?? 'running'}
      data-fault=${providerFault(r.outcome) ? 'provider' : r.outcome && r.outcome !== 'success' ? 'skill' : undefined}
        aria-selected=${selected === r.run_id ? 'true' : undefined}>
        ${showSkill ? html`<td class="skill"><a href=${`#/skill/${r.skill}`}>${r.skill}</a></td>` : ''}
        <td class="when" title=${r.started_at}>${ago(r.started_at, now)}</td>
        <td class="trigger">${r.trigger}${r.attempt > 1 ? ` #${r.attempt}` : ''}${r.probe ? ' (probe)' : ''}</td>
        <td class="outcome"><${OutcomeBadge} outcome=${r.outcome} /></td>
        <td class="dur">${dur(r.duration_ms)}</td>
        <td class="tok" data-tokens=${r.tokens ?? ''}>
        ${r.tokens === null ? html`<span class="muted">—</span>` : `${r.tokens.toLocaleString()} tokens`}</td>
        <td class="deliv"><${Delivery} delivery=${r.delivery} /></td>
        <td class="err" title=${r.error ?? ''}>${r.error ? html`<div class="clamp">
        ${providerFault(r.outcome) ? `provider: ${r.error}` : r.error}</div>` : ''}</td>
        <td class="links">
          <a href=${runHref(r.skill, r.run_id)} aria-current=${selected === r.run_id ? 'true' : undefined}
            aria-label=${`Log of run ${r.run_id}`}>Log</a>
          ${r.output ? html` <a
            href=${output === r.run_id ? runHref(r.skill, r.run_id) : runHref(r.skill, r.run_id, true)}
              aria-expanded=${showSkill ? undefined : String(output === r.run_id)}
                aria-label=${`Reply saved by run ${r.run_id}`} data-output-link=${r.run_id}>Reply</a>` : ''}
        </td></tr>
      ${output === r.run_id && !showSkill ? html`<tr class="output-row" data-output-for=${r.run_id}>
      <td colspan=${cols}><${RunOutput} skill=${r.skill} runId=${r.run_id} /></td></tr>` : ''}`)}</tbody>
  </table>${!paged && runs.length > shown.length ? html`<button class="more"
    onClick=${() => setRows((n) => n + ROWS * 5)}>Show more runs</button>` : ''}</div>`;
}
