// @ts-check
// A prompt skill's run (no code of the skill's own): send the prompt the host filled in, save the
// reply to outputs/<skill>/<slot>.md, and deliver it to a webhook if asked. Delivery is recorded
// apart and never fails the run (as OpenClaw separates run status from delivery status).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const DELIVERY_ATTEMPTS = 3;
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * @param {{ name: string, slot: string | null, model: { chat: Function }, logger: { info: Function, warn: Function },
 *   signal: AbortSignal, prompt: { text: string, outputFile: string, output: string, deliver?: { webhook: string } },
 *   send: (m: unknown) => Promise<void>, deadline: number, dryRun: boolean }} ctx
 */
export default async function promptSkill(ctx) {
  const r = await ctx.model.chat({ messages: [{ role: 'user', content: ctx.prompt.text }] });
  if (ctx.dryRun) {
    console.log(
      `(dry run: the reply would go to ${ctx.prompt.output}${ctx.prompt.deliver ? ` and be posted to ${ctx.prompt.deliver.webhook}` : ''})`,
    );
    return {};
  }
  await mkdir(dirname(ctx.prompt.outputFile), { recursive: true, mode: 0o700 });
  const tmp = `${ctx.prompt.outputFile}.tmp`;
  await writeFile(tmp, r.text.endsWith('\n') ? r.text : `${r.text}\n`, { mode: 0o600 });
  await rename(tmp, ctx.prompt.outputFile);
  ctx.logger.info(`reply (${r.usage.total_tokens} tokens) saved to ${ctx.prompt.output}`);
  /** @type {Record<string, string>} */
  const fields = { output: ctx.prompt.output, tokens: String(r.usage.total_tokens) };
  if (ctx.prompt.deliver) {
    const d = await deliver(ctx.prompt.deliver.webhook, { skill: ctx.name, slot: ctx.slot, text: r.text }, ctx.deadline, ctx.signal);
    await ctx.send({ type: 'delivery', ...d });
    fields.delivery = d.status;
    if (d.status === 'failed') ctx.logger.warn(`delivery to the webhook failed: ${d.error}`);
  }
  return fields;
}

/**
 * POSTs the reply as JSON; a 2xx is delivered. Retried with backoff, within the run's deadline.
 * @param {string} url @param {unknown} body @param {number} deadline @param {AbortSignal} signal
 * @returns {Promise<{ status: 'delivered' } | { status: 'failed', error: string }>}
 */
async function deliver(url, body, deadline, signal) {
  let last = '';
  for (let n = 1; n <= DELIVERY_ATTEMPTS; n++) {
    const room = deadline - 500 - Date.now();
    if (room <= 0) break;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(Math.min(DELIVERY_TIMEOUT_MS, room))]),
      });
      await res.body?.cancel();
      if (res.ok) return { status: 'delivered' };
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break; // the webhook refuses: trying again cannot help
    } catch (err) {
      if (signal.aborted) throw err;
      last = err instanceof Error ? String(/** @type {any} */ (err).cause?.code ?? err.message) : String(err);
    }
    if (n < DELIVERY_ATTEMPTS) await new Promise((r) => setTimeout(r, 250 * 2 ** (n - 1)));
  }
  // The webhook URL may carry a token in its path or query: name only its origin.
  let origin = 'the webhook';
  try {
    origin = new URL(url).origin;
  } catch {
    // keep the generic name
  }
  return { status: 'failed', error: `${origin}: ${last || "no time left before the run's deadline"}` };
}
