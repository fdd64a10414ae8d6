// @ts-check
// Entry of a JS skill's own process (child_process.fork or Electron's utilityProcess.fork).
// Imports the skill module, runs its default export with a context, and sends back the fields.
// Plain JS with no imports from the app, so a run starts as fast as a bare fork: a .ts entry
// would load Node's type stripper in every child (measured: ~200 ms vs ~107 ms for a bare fork).
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{
 *   entry: string, context: { name: string, runId: string, slot: string | null, home: string, trigger: string, attempt: number },
 *   model?: any, budget?: any, deadline?: number, dryRun?: boolean, prompt?: any,
 * }} RunSpec
 */

/** @type {{ postMessage(m: unknown): void } | undefined} */
const parentPort = /** @type {any} */ (process).parentPort;

/** @param {unknown} message @returns {Promise<void>} */
function send(message) {
  if (parentPort) {
    parentPort.postMessage(message);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

const controller = new AbortController();
let finished = false;
// The host is gone (killed): nobody will record this run's result, and the next host records it
// interrupted. Stop rather than run on unsupervised.
process.once('disconnect', () => {
  if (!finished) {
    controller.abort(new Error('the host went away'));
    setTimeout(() => process.exit(1), 1000).unref();
  }
});
process.once('SIGTERM', () => controller.abort(new Error('deadline reached: the host asked the skill to stop')));

async function main() {
  /** @type {RunSpec | null} */
  const spec = JSON.parse(process.env.CLAWKEEPER_RUN_SPEC ?? 'null');
  if (!spec) throw new Error('skill-child: CLAWKEEPER_RUN_SPEC is missing');
  delete process.env.CLAWKEEPER_RUN_SPEC;
  // Only a skill with a model loads the client (and asks the host for its key over IPC), while
  // the skill's own module loads.
  const modelReady = spec.model ? import('../models/child-model.js').then(
    (m) => m.childModel(spec, send, controller.signal),
  ) : Promise.resolve(undefined);
  modelReady.catch(() => undefined); // awaited below; a failed skill import must not leave it unhandled
  // A prompt skill runs ClawKeeper's own module (models/prompt-skill.js) in place of a skill's entry.
  const mod = await import(spec.prompt ? new URL('../models/prompt-skill.js', import.meta.url).href : pathToFileURL(spec.entry).href);
  if (typeof mod.default !== 'function') {
    throw new Error(`${spec.entry} must export a default (async) function`);
  }
  const tag = `[${spec.context.name} ${spec.context.runId}]`;
  const logger = {
    info: (/** @type {unknown[]} */ ...a) => console.log(tag, ...a),
    warn: (/** @type {unknown[]} */ ...a) => console.warn(tag, ...a),
    error: (/** @type {unknown[]} */ ...a) => console.error(tag, ...a),
  };
  const ready = await modelReady;
  const model = ready?.model;
  const extra = spec.prompt ? {
    prompt: { ...spec.prompt, text: ready?.promptText ?? '' }, send, deadline: spec.deadline,
    dryRun: spec.dryRun === true,
  } : {};
  const fields = await mod.default({ ...spec.context, logger, signal: controller.signal, ...(model ? { model } : {}), ...extra });
  finished = true;
  await send({ type: 'result', fields: fields ?? {} });
}

main().then(
  () => {
    process.exitCode = 0;
    // Let the process end by itself (so piped output is flushed), but a skill that leaves a timer
    // or socket open must not keep it alive long past its result.
    if (process.connected) process.disconnect();
    setTimeout(() => process.exit(0), parentPort ? 20 : 1000).unref();
  },
  async (/** @type {unknown} */ err) => {
    finished = true;
    const message = err instanceof Error ? err.message : String(err);
    console.error(err instanceof Error && err.stack ? err.stack : message);
    // The code (or its cause's: fetch wraps ECONNREFUSED in a TypeError) lets the host tell a
    // network-class failure from a broken skill; a model error's kind (upstream-failure,
    // budget-exceeded) becomes the run's outcome.
    const e = /** @type {any} */ (err ?? {});
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    const kind = e?.kind ?? e?.cause?.kind;
    await send({
      type: 'error', message: message.slice(0, 2000), ...(code ? { code } : {}),
      ...(typeof kind === 'string' ? { kind, status: e?.status ?? e?.cause?.status } : {}),
    });
    process.exit(1);
  },
);
