// @ts-check
// `ctx.model` inside a skill's own process: one chat call = one request to an OpenAI-compatible
// server through the official `openai` client (its own retries off: ours know the run's deadline),
// with the budget checked before anything is sent and the usage reported to the host over IPC as
// each call ends (so a skill that crashes later still has its calls counted).
// Plain JS, imported only by a run whose skill has a model (skill-child.js stays bare).
import OpenAI, { APIConnectionTimeoutError } from 'openai';
import { countMessages, countText } from './tokens.js';
import { ModelError, planRetry } from './retry.js';

/**
 * @typedef {{ name: string, baseURL: string, model: string, timeoutMs: number, streamIdleMs?: number, optional: boolean }} ModelSpec
 * @typedef {{ tokensPerRun?: number, tokensPerDay?: number, dayTokensLeft?: number }} BudgetSpec
 * @typedef {{ prompt_tokens: number, completion_tokens: number, total_tokens: number }} Usage
 * @typedef {{ messages: { role: string, content: string }[], maxTokens?: number, temperature?: number, stream?: boolean }} ChatRequest
 */

/** Time kept before the run's deadline, so the skill can still report a typed error. */
const DEADLINE_MARGIN_MS = 300;

/**
 * A reply (JSON or stream) larger than this is cut and the call fails `upstream-failure`: a chat
 * reply is text for a skill, and an endless one took a run's process to 1.5 GB. docs/agents.md.
 */
export const REPLY_MAX_BYTES = 16 * 1024 * 1024;

/** A stream that sends no event for this long (or `timeoutMs`, if shorter) is cut and retried; a model's `streamIdleMs` sets another. */
export const STREAM_IDLE_MS = 15_000;

/** The body of a reply past REPLY_MAX_BYTES: the fetch stream errors with this. */
class ReplyTooLarge extends Error {
  constructor() {
    super(`the reply passed ${REPLY_MAX_BYTES / 1024 / 1024} MiB and was cut`);
    this.name = 'ReplyTooLarge';
  }
}

/**
 * fetch whose response body errors once it passes `max` bytes, so neither a JSON reply nor a
 * stream can grow without bound in the skill's process.
 * @param {number} max @returns {typeof fetch}
 */
export function cappedFetch(max) {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    let seen = 0;
    const capped = res.body.pipeThrough(
      new TransformStream({
        transform(chunk, ctl) {
          seen += chunk.byteLength;
          if (seen > max) ctl.error(new ReplyTooLarge());
          else ctl.enqueue(chunk);
        },
      }),
    );
    return new Response(capped, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * Usage as the server reported it, if it is believable: whole, non-negative token counts, the
 * total at least prompt + completion. Checked here, where the budget is checked, because a server
 * that says -1000000 would otherwise buy a run unlimited calls. Null: count it ourselves.
 * @param {any} u @returns {Usage | null}
 */
export function validUsage(u) {
  if (!u || typeof u !== 'object') return null;
  const count = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
  const total = count(u.total_tokens);
  const prompt = u.prompt_tokens === undefined ? 0 : count(u.prompt_tokens);
  const completion = u.completion_tokens === undefined ? 0 : count(u.completion_tokens);
  if (total === null || prompt === null || completion === null) return null;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: Math.max(total, prompt + completion) };
}

/**
 * What one call needs to reach the server: built once per client.
 * @typedef {{ client: any, spec: ModelSpec, deadline: number, signal: AbortSignal, where: string }} Connection
 */

/**
 * @param {{ spec: ModelSpec, apiKey: string | null, budget: BudgetSpec | undefined, deadline: number,
 *   dryRun?: boolean, send: (m: unknown) => Promise<void>, signal: AbortSignal, print?: (line: string) => void }} o
 */
export function createModelClient(o) {
  // A dry run never builds a client: nothing can be sent.
  /** @type {any} */
  const client = o.dryRun ? null : new OpenAI({
    apiKey: o.apiKey ?? 'none', baseURL: o.spec.baseURL, maxRetries: 0, timeout: o.spec.timeoutMs,
    fetch: cappedFetch(REPLY_MAX_BYTES),
  });
  /** @type {Connection} */
  const conn = { client, spec: o.spec, deadline: o.deadline, signal: o.signal, where: `model "${o.spec.name}" (${o.spec.baseURL})` };
  let used = 0;
  let calls = 0;

  /** What the budget still allows in this run, or Infinity. */
  const allowance = () => {
    const perRun = o.budget?.tokensPerRun ?? Infinity;
    const perDay = o.budget?.dayTokensLeft ?? Infinity;
    return Math.min(perRun, perDay) - used;
  };

  /** @param {ChatRequest} req */
  async function chat(req) {
    if (!req || !Array.isArray(req.messages) || req.messages.length === 0) {
      throw new TypeError('ctx.model.chat: give { messages: [{ role, content }, ...] }');
    }
    calls++;
    const left = allowance();
    if (o.dryRun) return dryRunReply(req, calls, left, o.spec, o.print ?? console.log);
    if (Number.isFinite(left)) await checkBudget(req, left, o.budget);
    const params = {
      model: o.spec.model,
      messages: req.messages,
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    };
    const r = req.stream ? await withRetries(conn, (t) => streamOnce(conn, params, t)) : await withRetries(
      conn, (t) => completeOnce(conn, params, t),
    );
    const usage = await callUsage(r, req);
    used += usage.total_tokens;
    await o.send({ type: 'usage', usage: { ...usage, model: r.model || o.spec.model } });
    const { estimated: _e, ...plain } = usage;
    return { text: r.text, usage: plain, model: r.model || o.spec.model };
  }

  return { chat, name: o.spec.name, model: o.spec.model };
}

/**
 * A dry run shows the prompt and what the budget would say of it, and sends nothing.
 * @param {ChatRequest} req @param {number} calls @param {number} left @param {ModelSpec} spec @param {(line: string) => void} print
 */
async function dryRunReply(req, calls, left, spec, print) {
  const n = await countMessages(req.messages);
  const last = req.messages[req.messages.length - 1];
  print(
    `--- prompt ${calls} (${n} tokens; ${Number.isFinite(left) ? `budget allows ${Math.max(0, left)} more tokens in this run${n > left ? ': THIS CALL WOULD BE REFUSED' : ''}` : 'no budget'}) ---\n${String(last?.content ?? '')}`,
  );
  return { text: '', usage: { prompt_tokens: n, completion_tokens: 0, total_tokens: n }, model: spec.model, dryRun: true };
}

/**
 * A call whose prompt alone would pass the budget is refused before anything is sent.
 * @param {ChatRequest} req @param {number} left @param {BudgetSpec | undefined} budget
 */
async function checkBudget(req, left, budget) {
  const estimate = await countMessages(req.messages);
  if (estimate > left) {
    throw new ModelError(
      'budget-exceeded',
      `budget: this call's prompt (~${estimate} tokens) would pass the budget (${Math.max(0, left)} tokens left of ${describeBudget(budget)}); not sent`,
    );
  }
}

/**
 * The call's usage as the server reported it, or counted here when it sent none.
 * @param {{ text: string, usage: any }} r @param {ChatRequest} req
 * @returns {Promise<Usage & { estimated?: boolean }>}
 */
async function callUsage(r, req) {
  const reported = validUsage(r.usage);
  if (reported) return reported;
  // The server sent no usage (common for streams), or one not to be believed: count with the
  // tokenizer, and say so.
  const p = await countMessages(req.messages);
  const c = await countText(r.text);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c, estimated: true };
}

/**
 * One request bounded as a whole: `timeout` covers the headers, the body and every event of a
 * stream (the client's own timeout stops at the headers), and `idleMs` cuts a stream that goes
 * quiet. Either ends the attempt as a timeout (retried within the run's deadline); a reply past
 * REPLY_MAX_BYTES ends the call as upstream-failure.
 * @template T
 * @param {Connection} conn
 * @param {number} timeout
 * @param {(signal: AbortSignal, alive: () => void) => Promise<T>} body
 * @param {number} [idleMs]
 * @returns {Promise<T>}
 */
async function bounded(conn, timeout, body, idleMs) {
  const ac = new AbortController();
  /** @type {string | null} */
  let cut = null;
  let idleCut = false;
  const onAbort = () => ac.abort(conn.signal.reason);
  conn.signal.addEventListener('abort', onAbort, { once: true });
  const whole = setTimeout(() => {
    cut = `no complete answer within timeoutMs=${conn.spec.timeoutMs}`;
    idleCut = false;
    ac.abort();
  }, timeout);
  /** @type {NodeJS.Timeout | undefined} */
  let idle;
  const alive = () => {
    if (idleMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      cut = `the stream sent no event for ${idleMs} ms (streamIdleMs)`;
      idleCut = true;
      ac.abort();
    }, idleMs);
  };
  alive();
  try {
    const value = await body(ac.signal, alive);
    // The client's stream ends quietly when its signal aborts: a cut stream is no answer.
    if (cut !== null && !conn.signal.aborted) throw cutError(cut, idleCut);
    return value;
  } catch (err) {
    if (cut !== null && !conn.signal.aborted) throw cutError(cut, idleCut);
    if (tooLarge(err)) throw new ModelError('upstream-failure', `${conn.where}: ${new ReplyTooLarge().message}`, { cause: err });
    throw err;
  } finally {
    clearTimeout(whole);
    clearTimeout(idle);
    conn.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * A cut attempt is a timeout (retried); an idle cut says so, so the run's error names the bound that fired.
 * @param {string} message @param {boolean} idle
 */
function cutError(message, idle) {
  return Object.assign(new APIConnectionTimeoutError({ message }), idle ? { streamIdle: true } : {});
}

/** @param {unknown} err */
function tooLarge(err) {
  for (let e = /** @type {any} */ (err), i = 0; e && i < 5; e = e.cause, i++) {
    if (e instanceof ReplyTooLarge || e?.name === 'ReplyTooLarge') return true;
  }
  return false;
}

/** @param {Connection} conn @param {Record<string, unknown>} params */
async function completeOnce(conn, params, timeout = conn.spec.timeoutMs) {
  const res = /** @type {unknown} */ (await bounded(
    conn, timeout,
    (signal) => conn.client.chat.completions.create(/** @type {any} */ ({ ...params, stream: false }), { timeout, signal }),
  ));
  const body = /** @type {any} */ (res);
  if (!body || typeof body !== 'object' || !Array.isArray(body.choices)) {
    throw new ModelError(
      'upstream-failure',
      `${conn.where} answered something that is not a chat completion (no "choices"): ${String(
        typeof res === 'string' ? res : JSON.stringify(res),
      ).slice(0, 200)}`,
    );
  }
  const text = body.choices[0]?.message?.content ?? '';
  return { text: String(text), usage: body.usage, model: String(body.model ?? '') };
}

/** @param {Connection} conn @param {Record<string, unknown>} params */
async function streamOnce(conn, params, timeout = conn.spec.timeoutMs) {
  return bounded(
    conn,
    timeout,
    async (signal, alive) => {
      const streamed = /** @type {any} */ ({ ...params, stream: true, stream_options: { include_usage: true } });
      const stream = await conn.client.chat.completions.create(streamed, { timeout, signal });
      let text = '';
      let usage;
      let model = '';
      for await (const chunk of stream) {
        alive();
        text += chunk?.choices?.[0]?.delta?.content ?? '';
        if (chunk?.usage) usage = chunk.usage;
        if (chunk?.model) model = chunk.model;
      }
      return { text, usage, model };
    },
    Math.min(conn.spec.streamIdleMs ?? STREAM_IDLE_MS, timeout),
  );
}

/**
 * Transient provider errors are retried inside the call, never past the run's deadline.
 * @template T @param {Connection} conn @param {(timeout?: number) => Promise<T>} attempt @returns {Promise<T>}
 */
async function withRetries(conn, attempt) {
  for (let n = 1; ; n++) {
    const room = conn.deadline - DEADLINE_MARGIN_MS - Date.now();
    try {
      return await attempt(Math.max(1, Math.min(conn.spec.timeoutMs, room)));
    } catch (err) {
      const plan = planRetry(err, n, conn.deadline - DEADLINE_MARGIN_MS - Date.now(), conn.where);
      if (plan.giveUp) throw plan.error;
      await sleep(plan.waitMs, conn.signal);
    }
  }
}

/** @param {BudgetSpec | undefined} b */
function describeBudget(b) {
  const parts = [];
  if (b?.tokensPerRun !== undefined) parts.push(`tokensPerRun=${b.tokensPerRun}`);
  if (b?.dayTokensLeft !== undefined) parts.push(`tokensPerDay=${b.tokensPerDay} (${b.dayTokensLeft} left today when the run began)`);
  return parts.join(', ');
}

/** @param {number} ms @param {AbortSignal} signal */
function sleep(ms, signal) {
  // The abort's reason as it is (the run's deadline or stop), as `fetch` rejects with it.
  const reason = () => /** @type {Error} */ (signal.reason);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(reason());
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(reason());
    }, { once: true });
  });
}
