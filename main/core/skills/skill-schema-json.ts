// The skill.json contract as a JSON Schema. Validation reports every problem at once.
export const SKILL_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const skillSchema = {
  type: 'object',
  additionalProperties: false,
  // Exactly one of schedule | every | at: checked by the loader, with a sentence that says so.
  required: ['name'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: SKILL_NAME.source, not: { const: 'status' } },
    description: { type: 'string', maxLength: 500 },
    schedule: { type: 'string', minLength: 1, maxLength: 200 },
    timezone: { type: 'string', minLength: 1, maxLength: 64 },
    every: { type: 'string', pattern: '^\\d{1,9}(\\.\\d{1,6})?[smhd]$' },
    anchor: { type: 'string', maxLength: 40 },
    at: { type: 'string', maxLength: 40 },
    jitterSeconds: { type: 'number', minimum: 0, maximum: 86400 },
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
    needs: { type: 'array', maxItems: 32, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9][a-z0-9:._-]{0,99}$' } },
    breaker: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            failures: { type: 'integer', minimum: 1, maximum: 1000 },
            coolDownSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
          },
        },
      ],
    },
    inheritEnv: { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
    model: {
      anyOf: [
        { type: 'boolean' },
        { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }, optional: { type: 'boolean' } },
        },
      ],
    },
    budget: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokensPerRun: { type: 'integer', minimum: 1 },
        tokensPerDay: { type: 'integer', minimum: 1 },
      },
    },
    prompt: { type: 'string', minLength: 1, maxLength: 100000 },
    promptFile: { type: 'string', minLength: 1, maxLength: 500 },
    alerts: {
      anyOf: [{ const: false }, {
        type: 'array', maxItems: 20, uniqueItems: true,
        items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
      }],
    },
    ping: { type: 'string', pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*)?$', maxLength: 2000 },
    deliver: {
      type: 'object',
      additionalProperties: false,
      required: ['webhook'],
      properties: { webhook: { type: 'string', pattern: '^https?://', maxLength: 2000 } },
    },
  },
} as const;
