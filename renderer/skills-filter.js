// @ts-check
// Filter and sort for the skills table: a text filter (name, description, state) and an order,
// failing first by default (what someone opening a job monitor is looking for).
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';

const html = /** @type {any} */ (htm).bind(h);
/** Lower = shown first. */
const ATTENTION = { failing: 0, tripped: 1, late: 2, deferred: 3, invalid: 4, paused: 6, pending: 7, ok: 8, done: 9 };

/** @param {any[]} skills @param {string} query @param {'attention' | 'name' | 'next'} sort */
export function filterSort(skills, query, sort) {
  const q = query.trim().toLowerCase();
  const shown = q ? skills.filter((s) => `${s.name} ${s.description ?? ''} ${s.state}`.toLowerCase().includes(q)) : skills.slice();
  const rank = (/** @type {any} */ s) => /** @type {Record<string, number>} */ (ATTENTION)[s.state] ?? 5;
  const next = (/** @type {any} */ s) => (s.nextRun ? Date.parse(s.nextRun) : Infinity);
  return shown.sort((a, b) => (sort === 'name' ? 0 : sort === 'next' ? next(a) - next(b) : rank(a) - rank(b)) || byName(a.name, b.name));
}

/**
 * Skill names are lower-case letters, digits and dashes, whose code-unit order is the alphabetical
 * one; localeCompare would give the same order but sets up ICU's collator on its first call (8 ms
 * in Chromium, on the first render's path). An invalid skill's folder name may hold other
 * characters: it still gets a stable place. @param {string} a @param {string} b
 */
export function byName(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The toolbar and the table it filters. @param {{ skills: any[], now: number, source: any, Table: any }} p */
export function FilteredSkills({ skills, now, source, Table }) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState(/** @type {'attention' | 'name' | 'next'} */ ('attention'));
  const shown = filterSort(skills, query, sort);
  return html`<div class="skills-toolbar">
      <label>Filter <input type="search" value=${query}
        onInput=${(/** @type {any} */ e) => setQuery(e.currentTarget.value)} placeholder="name, description, state" /></label>
      <label>Sort <select value=${sort} onChange=${(/** @type {any} */ e) => setSort(e.currentTarget.value)}>
        <option value="attention">Failing first</option><option value="name">Name</option><option value="next">Next run</option>
      </select></label>
      ${shown.length !== skills.length ? html`<span class="muted" role="status">${shown.length} of ${skills.length}</span>` : ''}
    </div>
    <${Table} skills=${shown} now=${now} source=${source} />`;
}
