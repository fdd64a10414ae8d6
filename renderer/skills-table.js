// @ts-check
// The skills table, the first thing on the dashboard: one row per skill (one card on a phone:
// name and state, last run, next run, actions). Moved out of app.js so the page reads as a list.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { nextRunWords, runColor, runWords, skillBadge, skillColor } from 'clawkeeper/common/health.js';
import { ago, percent, relative } from './view-model.js';
import { Badge, clockTime } from './badge.js';

const html = /** @type {any} */ (htm).bind(h);

/**
 * Tokens today against the day budget, as a bar (a model skill only).
 * @param {{ tokens: { today: number, tokensPerDay: number | null } }} p
 */
function TokenBar({ tokens: t }) {
  const pct = t.tokensPerDay ? Math.min(100, (t.today / t.tokensPerDay) * 100) : null;
  const c = pct === null ? 'green' : pct >= 100 ? 'red' : pct >= 80 ? 'amber' : 'green';
  const words = `${t.today.toLocaleString()}${t.tokensPerDay ? ` of ${t.tokensPerDay.toLocaleString()}` : ''} tokens today`;
  return html`<div class="tokens" data-tokens-today=${t.today} title=${words}>
    ${pct !== null && html`<span class="tbar" role="meter" aria-valuemin="0" aria-valuemax=${t.tokensPerDay}
      aria-valuenow=${t.today} aria-label=${words}>
    <span class=${`tfill c-${c}`} style=${{ width: `${pct}%` }}></span></span>`}
    <span class="muted">${words}</span>
  </div>`;
}

/**
 * Recent runs as one element with a hard-stop gradient (green ok, red failed), not one element per
 * run: 200 skills × 20 runs would be 4,000 nodes to lay out.
 * @param {{ recent: any[] }} p
 */
function Sparkline({ recent }) {
  const last = recent.slice(-20);
  if (last.length === 0) return html`<span class="muted">—</span>`;
  const w = 100 / last.length;
  const stops = last.map((r, i) => {
    const c = r.outcome === 'success' ? 'var(--green)' : 'var(--red)';
    const [from, to, end] = [i * w, (i + 1) * w - w * 0.25, (i + 1) * w].map((x) => x.toFixed(2));
    return `${c} ${from}% ${to}%, transparent ${to}% ${end}%`;
  });
  const ok = last.filter((r) => r.outcome === 'success').length;
  return html`<span class="spark" role="img" data-ok=${ok} data-total=${last.length} style=${{
    width: `${last.length * 7}px`, background: `linear-gradient(to right, ${stops.join(', ')})`,
  }} aria-label=${`${ok} of ${last.length} recent runs succeeded`} title=${`${ok} of ${last.length} recent runs succeeded`}></span>`;
}

/**
 * The state badge (times in the skill's zone) and, for a paused skill, the note kept with the
 * pause; with `reason`, why it is not ok, on the page under the badge (no hover needed).
 * @param {{ s: any, reason?: boolean }} p
 */
export function SkillState({ s, reason = false }) {
  return html`<${Badge} color=${skillColor(s.state)}>${skillBadge(
    s, (/** @type {string} */ iso) => clockTime(iso, s.timezone),
  )}</${Badge}>${s.pauseNote ? html` <span class="pause-note"
    data-pause-note>“${s.pauseNote}”</span>` : ''}${reason && s.reason && s.state !== 'ok' ? html`<div class="state-reason">
  ${s.reason}</div>` : ''}`;
}

/**
 * When it runs next, as every view says it (health.js nextRunWords): "in 4s" when the slot will
 * start, else why not ("08:36 — after cool-down", "paused"). @param {{ s: any, now: number }} p
 */
export function NextRun({ s, now }) {
  if (!s.nextRunReason && s.nextRun && Date.parse(s.nextRun) <= now) return 'due now';
  return nextRunWords(s, (iso) => clockTime(iso, s.timezone), (iso) => relative(iso, now));
}

/** @param {{ s: any, now: number }} p */
function LastRun({ s, now }) {
  if (s.running) return html`<${Badge} color="amber">running ${Math.max(
    0, Math.round((now - Date.parse(s.running.since)) / 1000),
  )}s</${Badge}>`;
  if (!s.lastRun) return html`<span class="muted">never</span>`;
  // (a run that ended after the clock's last tick is "0s ago", never "in 1s")
  // runWords/runColor: an output that was not delivered is no success (red). The badge says so in
  // a few words; why (a long URL and error) is in its title, and under the state as its reason.
  const l = s.lastRun;
  const short = runWords(l.delivery ? { ...l, delivery: { status: l.delivery.status } } : l);
  return html`<${Badge} color=${runColor(l)} title=${runWords(l)}>${short}</${Badge}> <span class="muted">
  ${ago(s.lastRun.endedAt, now)}</span>`;
}

/** @param {{ skills: any[], now: number, source: import('./data-sources.js').DataSource }} p */
export function SkillsTable({ skills, now, source }) {
  const [busy, setBusy] = useState(/** @type {string | null} */ (null));
  // Rows arrive in slices, one per frame: the first 20 (more than a 1280×800 or a phone screen
  // holds) paint at once, then 40 a frame, so a 200-skill table never blocks the page for one
  // long layout (bench/dashboard.ts: the first render from navigation).
  const [shown, setShown] = useState(20);
  useEffect(() => {
    if (shown >= skills.length) return;
    const t = setTimeout(() => requestAnimationFrame(() => setShown((n) => n + 40)), 0);
    return () => clearTimeout(t);
  }, [shown, skills.length]);
  const [error, setError] = useState('');
  const act = async (/** @type {string} */ name, /** @type {'run' | 'pause' | 'resume'} */ op) => {
    setBusy(name);
    setError('');
    try {
      await source[op](name);
    } catch (err) {
      setError(`${op} ${name}: ${String(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return html`<div class="panel skills">
    ${error && html`<p class="c-red badge" role="alert">${error}</p>`}
    <table>
      <colgroup><col class="c-skill" /><col class="c-sched" /><col class="c-next" /><col class="c-last" />
      <col class="c-rate" /><col class="c-spark" /><col class="c-state" /><col class="c-act" /></colgroup>
      <thead><tr><th>Skill</th><th>Schedule</th><th>Next run</th><th>Last run</th><th>Success</th>
      <th>Recent</th><th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>
        ${skills.slice(0, shown).map((s) => html`<tr data-skill=${s.name} data-runs=${s.runs} data-state=${s.state}>
          <td><strong><a href=${`#/skill/${s.name}`}>${s.name}</a></strong>
          <div class="desc" title=${s.description}>${s.description}</div>${s.tokens ? html`<${TokenBar} tokens=${s.tokens} />` : ''}</td>
          <td class="sched" title=${s.schedule ?? ''}>
          ${s.scheduleText ?? '—'}${s.timezone ? html`<div class="muted tz">${s.timezone}</div>` : ''}</td>
          <td class="next" data-next-run=${s.nextRun ?? ''}><span class="m-label">Next </span><${NextRun} s=${s} now=${now} /></td>
          <td class="last" data-last-run=${s.lastRun?.runId ?? ''}><span class="m-label">Last </span><${LastRun} s=${s} now=${now} /></td>
          <td>${percent(s.successRate)}</td>
          <td><${Sparkline} recent=${s.recent} /></td>
          <td class="state"><${SkillState} s=${s} reason=${true} /></td>
          <td><div class="actions">
            <button disabled=${busy === s.name || s.state === 'invalid'} onClick=${() => act(s.name, 'run')}>Run now</button>
            <button disabled=${busy === s.name || s.state === 'invalid'} onClick=${() => act(
              s.name, s.paused ? 'resume' : 'pause',
            )}>${s.paused ? 'Resume' : 'Pause'}</button>
          </div></td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}
