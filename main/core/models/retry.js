// @ts-check
// Which provider errors are worth another try, and when: 429 (honouring Retry-After, in seconds
// or as an HTTP date), 500/502/503/504, a reset connection, a request past timeoutMs. Everything
// else (401, 400, malformed JSON, a refused connection) fails at once: trying again cannot help.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** A model call that failed for a reason the host records as a run outcome. */
export class ModelError extends Error {
  /**
   * @param {'upstream-failure' | 'budget-exceeded'} kind
   * @param {string} message
   * @param {{ status?: number, cause?: unknown }} [extra]
   */
  constructor(kind, message, extra = {}) {
    super(message, { cause: extra.cause });
    this.name = 'ModelError';
    this.kind = kind;
    this.code = kind === 'budget-exceeded' ? 'CK_MODEL_BUDGET' : 'CK_MODEL_UPSTREAM';
    this.status = extra.status;
  }
}

const TRANSIENT = new Set([429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 8000;
/** A bound even without a deadline (a dry run, a benchmark): a provider down for good is not hammered. */
const MAX_ATTEMPTS = 10;

/**
 * @param {unknown} err the error of attempt number `n`
 * @param {number} n
 * @param {number} roomMs time left before the run's deadline (minus a margin)
 * @param {string} where the model, for messages
 * @returns {{ giveUp: true, error: unknown } | { giveUp: false, waitMs: number }}
 */
export function planRetry(err, n, roomMs, where) {
  const aborted = err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError');
  if (err instanceof ModelError || aborted) return { giveUp: true, error: err };
  if (err instanceof SyntaxError) {
    return {
      giveUp: true,
      error: new ModelError(
        'upstream-failure',
        `${where} answered with malformed JSON (${err.message}); check that baseURL points at an OpenAI-compatible API`,
        { cause: err },
      ),
    };
  }
  let waitMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (n - 1));
  let what;
  let status;
  if (err instanceof APIConnectionTimeoutError) {
    // An idle stream's cut names itself ("sent no event for 500 ms (streamIdleMs)").
    what = /** @type {any} */ (err).streamIdle === true ? err.message : 'no answer within timeoutMs';
  } else if (err instanceof APIConnectionError) {
    const cause = describeCause(err);
    // Nothing listens: the server is down, not busy. A required model's skill waits for it as a
    // dependency; an optional one's skill wants to fall back now, not after minutes of retries.
    if (cause === 'ECONNREFUSED') return {
      giveUp: true,
      error: new ModelError('upstream-failure', `${where}: connection refused (the model server is not running)`, { cause: err }),
    };
    what = `connection failed (${cause})`;
  } else if (err instanceof APIError && typeof err.status === 'number') {
    status = err.status;
    what = err.message;
    if (!TRANSIENT.has(err.status)) {
      return { giveUp: true, error: new ModelError('upstream-failure', `${where}: ${err.message}`, { status, cause: err }) };
    }
    const after = retryAfterMs(err.headers);
    if (after !== null) waitMs = after;
  } else {
    return { giveUp: true, error: err };
  }
  if (n >= MAX_ATTEMPTS) {
    return { giveUp: true, error: new ModelError('upstream-failure', `${where}: ${what}; tried ${n} times`, { status, cause: err }) };
  }
  if (waitMs >= roomMs) {
    const why = waitMs > 0 && roomMs > 0
      ? `the next try (in ${Math.ceil(waitMs / 1000)} s) would be past the run's deadline`
      : "the run's deadline is reached";
    return {
      giveUp: true,
      error: new ModelError('upstream-failure', `${where}: ${what}; tried ${n} time${n > 1 ? 's' : ''}, ${why}`, { status, cause: err }),
    };
  }
  return { giveUp: false, waitMs };
}

/**
 * Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), or null.
 * @param {unknown} headers
 */
export function retryAfterMs(headers, now = Date.now()) {
  const get = (/** @type {string} */ k) => {
    const h = /** @type {any} */ (headers);
    if (!h) return null;
    if (typeof h.get === 'function') return h.get(k);
    return h[k] ?? null;
  };
  const ms = get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = get('retry-after');
  if (!v) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** @param {Error} err */
function describeCause(err) {
  const c = /** @type {any} */ (err).cause;
  return String(c?.code ?? c?.cause?.code ?? c?.message ?? err.message);
}
