// @ts-check
// The one way a time is written wherever a person reads one (CLI, dashboard, skill page, tray,
// notifications): a 24-hour clock time, the day when it is not today ("tomorrow 00:00",
// "Sat 5 Dec 15:00"), and the zone when it is not the viewer's ("07:00 America/Los_Angeles").
// Relative times ("in 4s", "5m ago") too. Plain JS, so the dashboard loads this very file.

/** The zone of whoever reads: the browser's, or the terminal's (TZ). */
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** @param {number} t @param {string} zone */
function dayKey(t, zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
}

/**
 * A time as people read it. `zone`: the zone the time belongs to (a skill's timezone), shown
 * when it differs from the viewer's; null or absent: the viewer's own.
 * @param {string | number | null | undefined} iso
 * @param {{ zone?: string | null, now?: number, viewer?: string, seconds?: boolean }} [o]
 * @returns {string} '—' for no time (never a zero time: the epoch is no time either)
 */
export function formatTime(iso, o = {}) {
  const t = typeof iso === 'number' ? iso : iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t) || t <= 0) return '—';
  const viewer = o.viewer ?? viewerZone();
  const zone = o.zone || viewer;
  const now = o.now ?? Date.now();
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, hour: '2-digit', minute: '2-digit', ...(o.seconds ? { second: '2-digit' } : {}), hourCycle: 'h23',
  }).format(new Date(t));
  const day = dayKey(t, zone);
  let prefix = '';
  if (day !== dayKey(now, zone)) {
    if (day === dayKey(now + 86_400_000, zone)) prefix = 'tomorrow ';
    else if (day === dayKey(now - 86_400_000, zone)) prefix = 'yesterday ';
    else {
      const sameYear = day.slice(0, 4) === dayKey(now, zone).slice(0, 4);
      prefix = `${new Intl.DateTimeFormat('en-GB', {
        timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }),
      }).format(new Date(t))} `;
    }
  }
  return `${prefix}${clock}${zone !== viewer ? ` ${zone}` : ''}`;
}

/**
 * How long ago (or until): "4s ago", "in 3m", "2d ago". `none` for no time, or the epoch (a
 * time nobody recorded must never read as "20792d ago").
 * @param {string | null | undefined} iso @param {number} [now] @param {string} [none]
 */
export function relativeTime(iso, now = Date.now(), none = '—') {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t) || t <= 0) return none;
  const d = now - t;
  // A time still ahead is never "0s ago": its seconds round up ("in 1s").
  const a = d >= 0 ? Math.round(d / 1000) : Math.ceil(-d / 1000);
  const text = a < 60
    ? `${a}s`
    : a < 3600 ? `${Math.round(a / 60)}m` : a < 86400 ? `${Math.round(a / 3600)}h` : `${Math.round(a / 86400)}d`;
  return d >= 0 ? `${text} ago` : `in ${text}`;
}
