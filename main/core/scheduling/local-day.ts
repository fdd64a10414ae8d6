/** Calendar parts of an instant in a time zone (the skill's, or the machine's when it has none). */
export function localParts(at: number, timeZone?: string): {
  year: string; month: string; day: string; hour: string; minute: string; second: string;
} {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The local day (YYYY-MM-DD) of an instant in a zone: what a day budget is counted in. */
export function localDay(at: number, timeZone?: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}
