// Entry of a JS skill's own process (child_process.fork or Electron's utilityProcess.fork).
// Imports the skill module, runs its default export with a context, and sends back the fields.
// Kept free of imports from the rest of the app so a run starts as fast as a bare fork.
import { pathToFileURL } from 'node:url';

interface RunSpec {
  entry: string;
  context: { name: string; runId: string; slot: string | null; home: string; trigger: string; attempt: number };
}

type Port = { postMessage(m: unknown): void };
const parentPort = (process as unknown as { parentPort?: Port }).parentPort;

function send(message: unknown): Promise<void> {
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

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.CLAWKEEPER_RUN_SPEC ?? 'null') as RunSpec | null;
  if (!spec) throw new Error('skill-child: CLAWKEEPER_RUN_SPEC is missing');
  delete process.env.CLAWKEEPER_RUN_SPEC;
  const mod = (await import(pathToFileURL(spec.entry).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    throw new Error(`${spec.entry} must export a default (async) function`);
  }
  const tag = `[${spec.context.name} ${spec.context.runId}]`;
  const logger = {
    info: (...a: unknown[]) => console.log(tag, ...a),
    warn: (...a: unknown[]) => console.warn(tag, ...a),
    error: (...a: unknown[]) => console.error(tag, ...a),
  };
  const fields: unknown = await (mod.default as (ctx: unknown) => unknown)({ ...spec.context, logger, signal: controller.signal });
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
  async (err: unknown) => {
    finished = true;
    const message = err instanceof Error ? err.message : String(err);
    console.error(err instanceof Error && err.stack ? err.stack : message);
    await send({ type: 'error', message: message.slice(0, 2000) });
    process.exit(1);
  },
);
