// cron (croner's reading, cron-fields.ts) → systemd OnCalendar= lines. Day of month OR day of
// week (both restricted) becomes two lines: a timer elapses at the union of its OnCalendar=
// lines, where a single systemd expression would AND them. Exactness is checked against
// `systemd-analyze calendar` in test/core/export/systemd-oracle.test.ts.
import { compactSet, parseCronFields, type CronFields } from './cron-fields.ts';

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

function dowList(dow: number[]): string {
  // min -1: a weekday list is never written as a step
  return compactSet(dow, -1, 6, '..', (n) => DOW[n]!);
}

function time(f: CronFields): string {
  return [
    compactSet(f.hours, 0, 23, '..', two, 'from'), compactSet(f.minutes, 0, 59, '..', two, 'from'),
    compactSet(f.seconds, 0, 59, '..', two, 'from'),
  ].join(':');
}

export function toOnCalendar(expr: string, timezone: string | undefined): string[] {
  const f = parseCronFields(expr);
  const month = compactSet(f.months, 1, 12, '..', two, 'from');
  const tz = timezone ? ` ${timezone}` : '';
  const t = time(f);
  const line = (dow: string, dom: string) => `${dow ? `${dow} ` : ''}*-${month}-${dom} ${t}${tz}`;
  const d = f.days;
  if (d.kind === 'all') return [line('', '*')];
  if (d.kind === 'dom') return [line('', compactSet(d.dom, 1, 31, '..', two, 'from'))];
  if (d.kind === 'dow') return [line(dowList(d.dow), '*')];
  return [line(dowList(d.dow), '*'), line('', compactSet(d.dom, 1, 31, '..', two, 'from'))];
}
