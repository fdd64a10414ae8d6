import type { ErrorObject } from 'ajv';
// Compiled ahead of time by ajv's standalone mode (`npm run gen:validator`): loading and
// compiling with ajv at start-up cost the host ~17 MB of its idle memory.
import validateGenerated from './generated/skill-validator.js';

export { SKILL_NAME, skillSchema } from './skill-schema-json.ts';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const validate = validateGenerated as Validator;

export interface SchemaProblem {
  field: string;
  message: string;
}

export function validateSkillJson(data: unknown): SchemaProblem[] {
  if (validate(data)) return [];
  return describeErrors(validate.errors ?? []);
}

function describeErrors(errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf branches repeat themselves; the anyOf summary carries the useful sentence.
    if (e.schemaPath.includes('/anyOf/')) continue;
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      field = field === '(root)' ? extra : `${field}.${extra}`;
      message = 'unknown field: remove it or check its spelling';
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      field = field === '(root)' ? missing : `${field}.${missing}`;
      message = 'is required';
    } else if (e.keyword === 'pattern' && field === 'name') {
      message = 'must be lower-case letters, digits and dashes, starting with a letter or digit, at most 64 characters';
    } else if (e.keyword === 'not' && field === 'name') {
      message = '"status" is reserved (skills/status holds the status files)';
    } else if (e.keyword === 'pattern' && field === 'every') {
      message = 'must be a number and one of s, m, h, d, e.g. "90s", "7m", "1.5h", "1d"';
    } else if (e.keyword === 'anyOf' && field === 'catchUp') {
      message = 'must be "skip", "once", "all" or {"mode": ..., "max": 1..1000}';
    } else if (e.keyword === 'anyOf' && field === 'alerts') {
      message = 'must be false (no alerts) or a list of channel names from config.json alerts.channels, e.g. ["phone"]';
    } else if (e.keyword === 'pattern' && field === 'ping') {
      message = 'must be an http(s) URL without user:password or query, e.g. "https://hc-ping.com/<uuid>"';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}
