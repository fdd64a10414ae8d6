/**
 * A JSON syntax error as a person reads a file: line and column (1-based) instead of V8's
 * "at position 127" (or, for "Unexpected token", no position at all), and a hint for the common
 * slips: a trailing comma, a file cut short.
 */
export function describeJsonError(text: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const at = /\s*(?:in JSON )?at position (\d+)(?: \(line \d+ column \d+\))?/.exec(raw);
  let pos: number;
  let what: string;
  if (at) {
    pos = Number(at[1]);
    what = raw.slice(0, at.index) + raw.slice(at.index + at[0].length);
  } else if (/^Unexpected end of JSON input/.test(raw)) {
    pos = text.length;
    what = raw;
  } else if (/^Unexpected token/.test(raw)) {
    pos = findErrorPosition(text);
    what = raw.replace(/, ".*" is not valid JSON$/s, '');
  } else {
    return `not valid JSON: ${raw}`;
  }
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  const hint = /,\s*$/.test(before) && /^[}\]]/.test(text.slice(pos))
    ? ': a trailing comma, remove the comma before it'
    : pos >= text.trimEnd().length ? ': the file ends too early (a missing } or ])' : '';
  return `not valid JSON at line ${line}, column ${column}: ${what.trim()}${hint}`;
}

/**
 * Where parsing goes wrong, when V8 does not say: every prefix before the bad character fails
 * only for ending early (V8 reports the error at the prefix's end), every prefix that includes
 * it fails before its end. So a binary search over prefixes finds it in log2(n) parses.
 */
function findErrorPosition(text: string): number {
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = /at position (\d+)/.exec((e as Error).message);
      if (m) return Number(m[1]) < k;
      return !/^Unexpected end of JSON input/.test((e as Error).message);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
