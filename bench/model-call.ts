// Model calls: ctx.model.chat (the openai client, our retry wrapper, usage report) against a bare
// fetch of the same request, both to a local OpenAI-compatible server answering after a realistic
// 50 ms; then a prompt skill run end to end against a no-op skill run (process, IPC key hand-off,
// client load, output file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SkillManifest } from '../main/common/types.ts';
import { systemClock } from '../main/core/scheduling/clock.ts';
import { nodeLauncher } from '../main/core/runs/launcher.ts';
import { createModelClient } from '../main/core/models/model-client.js';
import { startRun } from '../main/core/runs/runner.ts';
import { startOpenAIServer } from '../test/helpers/openai-server.ts';
import { tempHome } from '../test/helpers/home.ts';
import { mean, percentile, report, row } from './lib.ts';

// 200 calls: with fewer, p99 is the single slowest call, which on a shared machine is noise.
const N = Number(process.env.BENCH_CALLS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const server = await startOpenAIServer([], { delayMs: 50 });
const messages = [{ role: 'user', content: 'Summarize the day in three bullet points.' }];
const client = createModelClient({
  spec: { name: 'default', baseURL: server.baseURL, model: 'test-model', timeoutMs: 10_000, optional: false },
  apiKey: 'sk-bench',
  budget: undefined,
  deadline: Infinity,
  send: () => Promise.resolve(),
  signal: new AbortController().signal,
});

async function bare(): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${server.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'test-model', messages }),
  });
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  if (!body.choices[0]?.message.content) throw new Error('bare fetch: no reply');
  return performance.now() - t;
}

async function ours(): Promise<number> {
  const t = performance.now();
  const r = await client.chat({ messages });
  if (!r.text) throw new Error('chat: no reply');
  return performance.now() - t;
}

await bare();
await ours();
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < N; i++) {
  a.push(await bare());
  b.push(await ours());
}

// Runs: a prompt skill (server answering at once) against a no-op JS skill.
server.fallback = {};
const { home, cleanup } = tempHome('ck-bench-');
writeFileSync(join(home, 'config.json'), JSON.stringify({ models: { default: { baseURL: server.baseURL, model: 'test-model' } } }));
const noopDir = join(home, 'skills', 'noop');
mkdirSync(noopDir, { recursive: true });
writeFileSync(join(noopDir, 'index.mjs'), 'export default async function noop() { return {}; }\n');
const promptDir = join(home, 'skills', 'brief');
mkdirSync(promptDir, { recursive: true });
const base: SkillManifest = {
  name: 'noop', description: '', schedule: '* * * * *', timeoutSeconds: 30, retries: { max: 0, backoffSeconds: 0 },
  overlap: 'skip', catchUp: { mode: 'skip', max: 1 }, env: {}, enabled: true, needs: [], breaker: false,
};

async function runOne(manifest: SkillManifest, dir: string, i: number): Promise<number> {
  const t = performance.now();
  const h = startRun({
    manifest, dir, runId: `r${i}`, slot: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), trigger: 'schedule',
    attempt: 1, home,
  }, { launcher: nodeLauncher, clock: systemClock, logsDir: join(home, 'logs') });
  const r = await h.done;
  if (r.outcome !== 'success') throw new Error(`${manifest.name} run failed: ${r.error}`);
  return performance.now() - t;
}
const noop = { ...base, entry: 'index.mjs' };
const prompt: SkillManifest = { ...base, name: 'brief', prompt: 'Brief for {{date}}.', model: { name: 'default', optional: false } };
await runOne(noop, noopDir, 0);
await runOne(prompt, promptDir, 0);
const rn: number[] = [];
const rp: number[] = [];
for (let i = 1; i <= RUNS; i++) {
  rn.push(await runOne(noop, noopDir, i));
  rp.push(await runOne(prompt, promptDir, i));
}
cleanup();
await server.close();

report('model-call', 'bare fetch to the same server (50 ms answer)', [
  row('chat call, p50', percentile(b, 50), percentile(a, 50), 'ms', 'ratio <= 1.1', (r) => r <= 1.1),
  row('chat call, p99', percentile(b, 99), percentile(a, 99), 'ms', 'ratio <= 1.1', (r) => r <= 1.1),
  // ours = mean(chat) - mean(fetch): the client's own cost per call; ratio = its share of a call.
  row('client overhead per call (mean chat - mean fetch)', mean(b) - mean(a), mean(a), 'ms', 'info', () => true),
  row('prompt skill run vs no-op run, p50', percentile(rp, 50), percentile(rn, 50), 'ms', 'info', () => true),
  row('prompt skill run vs no-op run, mean', mean(rp), mean(rn), 'ms', 'info', () => true),
], { calls: N, runs: RUNS });
