// @ts-check
// Where the page is, from the address bar's fragment (never sent to a server):
//   #/                                  the dashboard
//   #/runs?skill=&outcome=&trigger=&from=&to=&page=   every skill's runs
//   #/skill/<name>[/run/<id>[/output]]  a skill's page, a run's log chosen, its saved reply open
import { useEffect, useState } from 'preact/hooks';

const NAME = '[a-z0-9][a-z0-9-]{0,63}';
const RUN = '[A-Za-z0-9_-]{1,80}';
const SKILL_ROUTE = new RegExp(`^#/skill/(${NAME})(?:/run/(${RUN})(/output)?)?$`);

/**
 * @typedef {{ view: 'dashboard' } | { view: 'runs', query: URLSearchParams } | { view: 'skill',
 * skill: string, run: string | null, output: boolean }} Route
 */

/** @param {string} hash @returns {Route} */
export function parseRoute(hash) {
  const m = SKILL_ROUTE.exec(hash);
  if (m) return { view: 'skill', skill: /** @type {string} */ (m[1]), run: m[2] ?? null, output: m[3] !== undefined };
  if (hash === '#/runs' || hash.startsWith('#/runs?')) return { view: 'runs', query: new URLSearchParams(hash.slice('#/runs'.length + 1)) };
  return { view: 'dashboard' };
}

/** A link to a run on its skill's page. @param {string} skill @param {string} runId @param {boolean} [output] */
export const runHref = (skill, runId, output = false) => `#/skill/${skill}/run/${runId}${output ? '/output' : ''}`;

/** @returns {Route} */
export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
