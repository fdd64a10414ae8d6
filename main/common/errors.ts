// One error registry for the whole app (as fastify does): a stable code, the HTTP status it maps
// to, and a message prefixed with the component that raised it.

export const ERROR_STATUS = {
  CK_BAD_REQUEST: 400,
  CK_INVALID_JSON: 400,
  CK_INVALID_NAME: 400,
  CK_UNAUTHORIZED: 401,
  CK_FORBIDDEN_ORIGIN: 403,
  CK_FORBIDDEN: 403,
  CK_NOT_FOUND: 404,
  CK_METHOD_NOT_ALLOWED: 405,
  CK_CONFLICT: 409,
  CK_BODY_TOO_LARGE: 413,
  CK_MISDIRECTED: 421,
  CK_SKILL_INVALID: 422,
  CK_RATE_LIMITED: 429,
  CK_LIMIT_REACHED: 429,
  CK_INTERNAL: 500,
  CK_UNAVAILABLE: 503,
  CK_HOME_LOCKED: 409,
  CK_USAGE: 400,
  /** A manual run refused while something the skill needs is down (the contract names this code). */
  'dependency-down': 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ClawError extends Error {
  readonly code: ErrorCode;
  readonly component: string;
  readonly status: number;

  constructor(code: ErrorCode, component: string, message: string, options?: { cause?: unknown }) {
    super(`[${component}] ${message}`, options);
    this.name = 'ClawError';
    this.code = code;
    this.component = component;
    this.status = ERROR_STATUS[code];
  }

  /** The JSON body every API error uses: `{error: {code, message}}`. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
