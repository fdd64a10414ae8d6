// A cron expression as sets of values, read with croner's rules (the ones the host schedules
// by), so that every exporter converts the same meaning: 5 fields (seconds 0) or 6 (seconds
// first); names for months and weekdays; weekday 7 = Sunday; `?` = `*`; `*/n` starts at the
// field's minimum; day of month and day of week are OR-ed when both are restricted and neither
// is written `*` (croner's default, as Vixie cron), AND-ed otherwise.

export interface CronFields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  /** Which days: every day, by day of month, by weekday (0 = Sunday), or either. */
  days: { kind: 'all' } | { kind: 'dom'; dom: number[] } | { kind: 'dow'; dow: number[] } | { kind: 'or'; dom: number[]; dow: number[] };
  months: number[];
  /** True for a 6-field expression. */
  hasSeconds: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Spec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const SPECS: Record<string, Spec> = {
  second: { name: 'second', min: 0, max: 59 },
  minute: { name: 'minute', min: 0, max: 59 },
  hour: { name: 'hour', min: 0, max: 23 },
  dom: { name: 'day of month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  dow: { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
};

export class CronConvertError extends Error {}

function value(token: string, spec: Spec): number {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + spec.namesFrom!;
  if (!/^\d+$/.test(token)) throw new CronConvertError(
    `${spec.name} "${token}" is not a plain number or name (croner extensions such as L, W and # have no equivalent here)`,
  );
  const n = Number(token);
  if (n < spec.min || n > spec.max) throw new CronConvertError(`${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function expand(field: string, spec: Spec): number[] {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new CronConvertError(
      `${spec.name} "${part}" is not a value, range or step`,
    );
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronConvertError(`${spec.name} step "${stepText}" is not a positive whole number`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = spec.min;
      hi = spec === SPECS.dow ? 6 : spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a!, spec);
      hi = value(b!, spec);
      if (hi < lo) throw new CronConvertError(`${spec.name} range "${range}" runs backwards`);
    } else {
      lo = value(range, spec);
      // croner allows `a/n` only in sloppy mode; the loader has refused it already
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(spec === SPECS.dow && v === 7 ? 0 : v);
  }
  return [...out].sort((a, b) => a - b);
}

function isStar(field: string): boolean {
  return field === '*' || field === '?';
}

export function parseCronFields(expr: string): CronFields {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new CronConvertError(`"${expr}" has ${parts.length} fields; 5 or 6 are expected`);
  const hasSeconds = parts.length === 6;
  const [sec, min, hour, dom, month, dow] = hasSeconds ? parts : ['0', ...parts];
  if (dow!.startsWith('+')) throw new CronConvertError(
    `day of week "${dow}" uses croner's "+" (AND) modifier, which has no equivalent here`,
  );
  const domSet = expand(dom!, SPECS.dom!);
  const dowSet = expand(dow!, SPECS.dow!);
  const allDom = domSet.length === 31;
  const allDow = dowSet.length === 7;
  let days: CronFields['days'];
  if (isStar(dow!)) days = allDom ? { kind: 'all' } : { kind: 'dom', dom: domSet };
  else if (isStar(dom!)) days = allDow ? { kind: 'all' } : { kind: 'dow', dow: dowSet };
  // Both restricted: OR. One of them covering every day makes it every day.
  else if (allDom || allDow) days = { kind: 'all' };
  else days = { kind: 'or', dom: domSet, dow: dowSet };
  return {
    seconds: expand(sec!, SPECS.second!),
    minutes: expand(min!, SPECS.minute!),
    hours: expand(hour!, SPECS.hour!),
    days,
    months: expand(month!, SPECS.month!),
    hasSeconds,
  };
}

/** Local wall-clock components of an instant (month 1-12, weekday 0 = Sunday). */
export interface Wall {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

export function dayMatches(f: CronFields, w: Wall): boolean {
  const d = f.days;
  if (d.kind === 'all') return true;
  if (d.kind === 'dom') return d.dom.includes(w.day);
  if (d.kind === 'dow') return d.dow.includes(w.weekday);
  return d.dom.includes(w.day) || d.dow.includes(w.weekday);
}

/** Whether a wall-clock minute matches (seconds aside). */
export function minuteMatches(f: CronFields, w: Wall): boolean {
  return f.months.includes(w.month) && dayMatches(f, w) && f.hours.includes(w.hour) && f.minutes.includes(w.minute);
}

/**
 * Compact text of a value set: `*` when full, `*\/n` for an even step from the minimum, else a
 * list with runs of 3+ as ranges. `sep` is the range separator (`-` for cron, `..` for systemd).
 */
export function compactSet(
  values: number[], min: number, max: number, sep: string, pad: (n: number) => string = String, stepStar = '*',
): string {
  if (values.length === max - min + 1) return '*';
  if (values.length >= 2 && values[0] === min) {
    const step = values[1]! - values[0];
    const even = values.every((v, i) => v === min + i * step);
    if (step > 1 && even && values[values.length - 1]! + step > max) return `${stepStar === '*' ? '*' : pad(min)}/${step}`;
  }
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) out.push(`${pad(values[i]!)}${sep}${pad(values[j]!)}`);
    else for (let k = i; k <= j; k++) out.push(pad(values[k]!));
    i = j + 1;
  }
  return out.join(',');
}
