import { Ajv, type ErrorObject } from 'ajv';

// The skill.json contract as a JSON Schema. Validation reports every problem at once.
export const SKILL_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const skillSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'schedule'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: SKILL_NAME.source, not: { const: 'status' } },
    description: { type: 'string', maxLength: 500 },
    schedule: { type: 'string', minLength: 1, maxLength: 200 },
    timezone: { type: 'string', minLength: 1, maxLength: 64 },
    entry: { type: 'string', minLength: 1, maxLength: 500 },
    command: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 4096 } },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
    retries: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max: { type: 'integer', minimum: 0, maximum: 10 },
        backoffSeconds: { type: 'number', minimum: 0, maximum: 3600 },
      },
    },
    overlap: { enum: ['skip', 'queue', 'replace'] },
    catchUp: {
      anyOf: [
        { enum: ['skip', 'once', 'all'] },
        {
          type: 'object',
          additionalProperties: false,
          required: ['mode'],
          properties: { mode: { enum: ['skip', 'once', 'all'] }, max: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
      ],
    },
    staleAfterMinutes: { type: 'number', exclusiveMinimum: 0 },
    env: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string', maxLength: 8192 },
    },
    enabled: { type: 'boolean' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(skillSchema);

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
    } else if (e.keyword === 'anyOf' && field === 'catchUp') {
      message = 'must be "skip", "once", "all" or {"mode": ..., "max": 1..1000}';
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
