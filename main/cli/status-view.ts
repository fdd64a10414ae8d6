// `clawkeeper status` as text: a rendering of the one health report, with the words, colors and
// order of main/common/health.js.
import {
  dependencyColor, LAYER_NAMES, LAYER_STATUS_WORDS, LAYER_TITLES, layerColor, MODE_WORDS, modeColor, nextRunWords,
  runWords, skillBadge, skillColor,
} from '../common/health.js';
import { formatTime } from '../common/time-words.js';
import type { HealthReport } from '../common/layer-protocol.ts';
import { scheduleInWords } from '../core/scheduling/schedule-words.ts';
import { ago as agoWords, paint, table } from './format.ts';

export function renderStatusText(r: HealthReport, now = Date.now()): string[] {
  const out: string[] = [];
  const ago = (iso: string | null) => agoWords(iso, now);
  out.push(
    `${paint(
      modeColor(r.mode), `● ${r.mode.toUpperCase()}`,
    )} — ${r.scenario ? `${r.scenario.title}: ${r.scenario.message}` : MODE_WORDS[r.mode]}`,
  );
  out.push(
    table([
      ['LAYER', 'STATE', 'SINCE', 'REASON'],
      ...LAYER_NAMES.map(
        (n) => [
          n, paint(layerColor(r.layers[n].status), r.layers[n].status), ago(r.layers[n].since),
          `${LAYER_TITLES[n]}: ${LAYER_STATUS_WORDS[r.layers[n].status]}${r.layers[n].reason ? ` — ${r.layers[n].reason}` : ''}`,
        ],
      ),
    ]),
  );
  const deps = Object.entries(r.dependencies);
  if (deps.length > 0) {
    out.push('');
    out.push(
      table([
        ['DEPENDENCY', 'STATE', 'SINCE', 'NEEDED BY', 'REASON'],
        ...deps.map(
          ([name, d]) => [
            name, paint(dependencyColor(d.status), d.status), ago(d.since),
            d.neededBy.length ? d.neededBy.join(', ') : 'alerts and pings', d.reason.slice(0, 100),
          ],
        ),
      ]),
    );
  }
  out.push('');
  out.push(
    table([
      ['SKILL', 'STATE', 'SCHEDULE', 'LAST RUN', 'NEXT RUN', 'NOTE'],
      ...r.skills.map((s) => [
        s.name,
        paint(skillColor(s.state), skillBadge(s, (iso) => formatTime(iso, { zone: s.timezone, now }))),
        s.scheduleText ?? (s.schedule ? scheduleInWords(s.schedule) : '-'),
        s.lastRun ? `${runWords(s.lastRun).slice(0, 60)} ${ago(s.lastRun.endedAt)}` : '-',
        s.nextRun || s.nextRunReason ? nextRunWords(s, (iso) => formatTime(iso, { zone: s.timezone, now }), ago) : '-',
        s.reason.slice(0, 100),
      ]),
    ]),
  );
  return out;
}
