// `clawkeeper status` as text: a rendering of the one health report, with the words, colors and
// order of main/common/health.js.
import { dependencyColor, LAYER_NAMES, LAYER_STATUS_WORDS, LAYER_TITLES, layerColor, MODE_WORDS, modeColor, OUTCOME_WORDS, skillBadge, skillColor } from '../common/health.js';
import type { HealthReport } from '../common/layer-protocol.ts';
import { scheduleInWords } from '../core/scheduling/schedule-words.ts';
import { ago, paint, table } from './format.ts';

export function renderStatusText(r: HealthReport): string[] {
  const out: string[] = [];
  out.push(`${paint(modeColor(r.mode), `● ${r.mode.toUpperCase()}`)} — ${r.scenario ? `${r.scenario.title}: ${r.scenario.message}` : MODE_WORDS[r.mode]}`);
  out.push(
    table([
      ['LAYER', 'STATE', 'SINCE', 'REASON'],
      ...LAYER_NAMES.map((n) => [n, paint(layerColor(r.layers[n].status), r.layers[n].status), ago(r.layers[n].since), `${LAYER_TITLES[n]}: ${LAYER_STATUS_WORDS[r.layers[n].status]}${r.layers[n].reason ? ` — ${r.layers[n].reason}` : ''}`]),
    ]),
  );
  const deps = Object.entries(r.dependencies);
  if (deps.length > 0) {
    out.push('');
    out.push(
      table([
        ['DEPENDENCY', 'STATE', 'SINCE', 'NEEDED BY', 'REASON'],
        ...deps.map(([name, d]) => [name, paint(dependencyColor(d.status), d.status), ago(d.since), d.neededBy.join(', '), d.reason.slice(0, 100)]),
      ]),
    );
  }
  out.push('');
  out.push(
    table([
      ['SKILL', 'STATE', 'SCHEDULE', 'LAST RUN', 'NEXT RUN', 'NOTE'],
      ...r.skills.map((s) => [
        s.name,
        paint(skillColor(s.state), skillBadge(s, (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))),
        s.scheduleText ?? (s.schedule ? scheduleInWords(s.schedule) : '-'),
        s.lastRun ? `${OUTCOME_WORDS[s.lastRun.outcome]} ${ago(s.lastRun.endedAt)}` : '-',
        s.nextRun ? ago(s.nextRun) : '-',
        s.reason.slice(0, 100),
      ]),
    ]),
  );
  return out;
}
