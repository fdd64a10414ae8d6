// @ts-check
// The model side of a skill's process: asks the host for the API key (and a prompt skill's text)
// over the run's IPC channel, so the key is never in the skill's environment, where every library
// and subprocess could read it, then builds `ctx.model`.
import { createModelClient } from './model-client.js';

/**
 * @param {any} spec the run spec (model, budget, deadline, dryRun)
 * @param {(m: unknown) => Promise<void>} send
 * @param {AbortSignal} signal
 */
export async function childModel(spec, send, signal) {
  const { apiKey, promptText } = await requestKey(send);
  const model = createModelClient({
    spec: spec.model, apiKey, budget: spec.budget, deadline: spec.deadline ?? Infinity, dryRun: spec.dryRun === true,
    send, signal,
  });
  return { model, promptText };
}

/** @param {(m: unknown) => Promise<void>} send @returns {Promise<{ apiKey: string | null, promptText: string | undefined }>} */
function requestKey(send) {
  const parentPort = /** @type {any} */ (process).parentPort;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the host did not send the model key within 10 s')), 10_000);
    /** @param {any} m */
    const on = (m) => {
      const msg = parentPort ? m?.data : m;
      if (msg?.type !== 'model-key') return;
      clearTimeout(timer);
      // Removing the listener also lets the channel stop holding the process open.
      if (parentPort) parentPort.off('message', on);
      else process.off('message', on);
      resolve({
        apiKey: typeof msg.apiKey === 'string' ? msg.apiKey : null,
        promptText: typeof msg.promptText === 'string' ? msg.promptText : undefined,
      });
    };
    if (parentPort) parentPort.on('message', on);
    else process.on('message', on);
    void send({ type: 'model-key-request' });
  });
}
