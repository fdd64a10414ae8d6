// The status file format the article's scripts read: one line of `key=value` pairs joined by `,`.
// Keys are `[a-z0-9_]+`; `%`, `,`, `=`, every control character (C0, DEL, C1) and U+2028/U+2029
// in values are percent-encoded (as UTF-8 bytes, like encodeURIComponent) so that a value can never
// break the line apart, for any reader: Python's splitlines() also splits on \v \f \x1c-\x1e \x85
// and U+2028/U+2029, and a skill could otherwise forge a second `status=success` line.

export const STATUS_KEY = /^[a-z0-9_]+$/;
export const RESERVED_STATUS_KEYS = ['status', 'timestamp', 'duration_ms', 'run_id'] as const;
const MAX_VALUE_CHARS = 1024;
const MAX_FIELDS = 32;

export type StatusFields = Record<string, string>;

const ENCODED = /[%,=\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function encodeStatusValue(value: string): string {
  return value.replace(ENCODED, (ch) => encodeURIComponent(ch));
}

/** Decodes runs of %XX as UTF-8; a run that is not valid UTF-8 (a hand edit) is read byte by byte. */
export function decodeStatusValue(value: string): string {
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  });
}

export function formatStatusLine(fields: StatusFields): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${encodeStatusValue(v)}`)
    .join(',');
}

/** Parses a status line; returns null (never throws) when the line is not in the format. */
export function parseStatusLine(line: string): StatusFields | null {
  const trimmed = line.replace(/\r?\n$/, '');
  // Anything a reader could take for a line break (a tab in an old file is harmless and still read).
  if (trimmed === '' || /[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/.test(trimmed)) return null;
  const out: StatusFields = {};
  for (const pair of trimmed.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!STATUS_KEY.test(key) || value.includes('=')) return null;
    out[key] = decodeStatusValue(value);
  }
  return out;
}

export interface SanitizedFields {
  fields: StatusFields;
  warnings: string[];
}

/**
 * Turns whatever a skill returned into status fields. Bad keys, reserved keys and oversized values
 * are dropped or cut with a warning each; nothing a skill returns can corrupt the line.
 */
export function sanitizeSkillFields(raw: unknown): SanitizedFields {
  const warnings: string[] = [];
  const fields: StatusFields = {};
  if (raw === undefined || raw === null) return { fields, warnings };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    warnings.push(`result must be an object of fields, got ${Array.isArray(raw) ? 'array' : typeof raw}; ignored`);
    return { fields, warnings };
  }
  let count = 0;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!STATUS_KEY.test(key)) {
      warnings.push(`field "${key.slice(0, 40)}" dropped: keys must match [a-z0-9_]+`);
      continue;
    }
    if ((RESERVED_STATUS_KEYS as readonly string[]).includes(key)) {
      warnings.push(`field "${key}" dropped: reserved for ClawKeeper`);
      continue;
    }
    if (++count > MAX_FIELDS) {
      warnings.push(`more than ${MAX_FIELDS} fields: the rest were dropped`);
      break;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
    else if (value === null || value === undefined) text = '';
    else text = JSON.stringify(value) ?? '';
    if (text.length > MAX_VALUE_CHARS) {
      warnings.push(`field "${key}" cut to ${MAX_VALUE_CHARS} characters`);
      text = text.slice(0, MAX_VALUE_CHARS);
    }
    fields[key] = text;
  }
  return { fields, warnings };
}
