import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunOutcome, SkillManifest, TokenUsage } from '../../common/types.ts';
import { apiKeyEnvNames, readModelsFile, resolveApiKey } from './config.ts';
import { alertSecretEnvNames, readAlertsConfig } from '../alerts/alert-config.ts';
import { localParts } from '../scheduling/local-day.ts';

/** What a run with a model adds to the child's run spec (never the key: that goes over IPC). */
export interface AgentSpec {
  model?: { name: string; baseURL: string; model: string; timeoutMs: number; streamIdleMs?: number; optional: boolean };
  budget?: { tokensPerRun?: number; tokensPerDay?: number; dayTokensLeft?: number };
  /** Epoch ms (wall clock) by which the skill must be done: model retries stop before it. */
  deadline: number;
  dryRun?: boolean;
  /** A prompt skill's output and delivery; its text comes over IPC with the key (a large prompt in
   *  the environment fails the spawn with E2BIG: Linux caps one variable at 128 KiB). */
  prompt?: { outputFile: string; output: string; deliver?: { webhook: string } };
}

export interface AgentRun {
  spec: AgentSpec;
  /** Environment variables holding model keys, removed from the run's environment. */
  secretEnv: string[];
  /** Set when the run cannot start (its model is gone from config.json, an unsafe key file). */
  error?: string;
  onMessage(msg: { type?: string } & Record<string, unknown>, child: { send(message: unknown): void }): boolean;
  /** What answers the child's `model-key-request`: the key and a prompt skill's text. */
  keyReply(): { type: 'model-key'; apiKey: string | null; promptText?: string };
  /** A model error that escaped the skill: the run's outcome. */
  readonly errorKind: RunOutcome | null;
  usage(): TokenUsage | undefined;
  delivery(): { status: 'delivered' | 'failed'; error?: string } | undefined;
}

export interface AgentRequest {
  manifest: SkillManifest;
  dir: string;
  home: string;
  runId: string;
  slot: string | null;
  trigger: string;
  /** What is left of the skill's day budget (the host's spend file), when it has one. */
  dayTokensLeft?: number;
  dryRun?: boolean;
}

/** Everything model-related a run needs, worked out in the host so the child needs no clock or config. */
export function prepareAgent(req: AgentRequest, env: NodeJS.ProcessEnv, startedAt: number, deadline: number): AgentRun {
  const m = req.manifest;
  const spec: AgentSpec = { deadline };
  let apiKey: string | null = null;
  let error: string | undefined;
  // Every run, with a model or not, loses the variables that hold model keys: a command skill
  // could otherwise print or forward a key it never needed.
  const file = readModelsFile(req.home, env);
  // Alert secrets (a Slack hook, a bot token, an SMTP password) likewise.
  const secretEnv = [...apiKeyEnvNames(file.models), ...alertSecretEnvNames(readAlertsConfig(join(req.home, 'config.json')))];
  if (m.model) {
    const cfg = file.models[m.model.name];
    if (!cfg) {
      error = `no model "${m.model.name}" in config.json models${file.problems.length ? ` (${file.problems.join('; ')})` : ''}`;
    } else {
      spec.model = {
        name: m.model.name, baseURL: cfg.baseURL, model: cfg.model, timeoutMs: cfg.timeoutMs,
        ...(cfg.streamIdleMs !== undefined ? { streamIdleMs: cfg.streamIdleMs } : {}), optional: m.model.optional,
      };
      try {
        apiKey = req.dryRun ? null : resolveApiKey(cfg, env, req.home);
      } catch (err) {
        error = `model "${m.model.name}": ${(err as Error).message}`;
      }
    }
  }
  if (m.budget) spec.budget = { ...m.budget, ...(req.dayTokensLeft !== undefined ? { dayTokensLeft: req.dayTokensLeft } : {}) };
  if (req.dryRun) spec.dryRun = true;
  let promptText: string | undefined;
  if (m.prompt !== undefined || m.promptFile !== undefined) {
    try {
      const { text, ...rest } = promptSpec(req, startedAt);
      spec.prompt = rest;
      promptText = text;
    } catch (err) {
      error = `promptFile: ${(err as Error).message}`;
    }
  }

  const total: TokenUsage = { calls: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, model: spec.model?.model ?? '' };
  let delivery: { status: 'delivered' | 'failed'; error?: string } | undefined;
  let errorKind: RunOutcome | null = null;
  const keyReply = () => ({ type: 'model-key' as const, apiKey, ...(promptText !== undefined ? { promptText } : {}) });
  return {
    spec,
    secretEnv,
    error,
    get errorKind() {
      return errorKind;
    },
    onMessage(msg, child) {
      if (msg.type === 'model-key-request') {
        child.send(keyReply());
      } else if (msg.type === 'usage') {
        const u = msg.usage as Partial<TokenUsage> | undefined;
        total.calls++;
        total.prompt_tokens += num(u?.prompt_tokens);
        total.completion_tokens += num(u?.completion_tokens);
        total.total_tokens += num(u?.total_tokens);
        if (typeof u?.model === 'string' && u.model) total.model = u.model;
        if (u?.estimated) total.estimated = true;
      } else if (msg.type === 'delivery') {
        delivery = msg.status === 'delivered' ? { status: 'delivered' } : {
          status: 'failed', error: (typeof msg.error === 'string' ? msg.error : 'delivery failed').slice(0, 500),
        };
      } else if (msg.type === 'error' && (msg.kind === 'upstream-failure' || msg.kind === 'budget-exceeded')) {
        errorKind = msg.kind;
        return false; // the runner records the message itself
      } else {
        return false;
      }
      return true;
    },
    keyReply,
    usage: () => (total.calls > 0 ? { ...total } : undefined),
    delivery: () => delivery,
  };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

/** The prompt with {{date}}, {{slot}}, {{skill}} filled in, and where its reply goes. */
function promptSpec(req: AgentRequest, startedAt: number): NonNullable<AgentSpec['prompt']> & { text: string } {
  const m = req.manifest;
  const raw = m.prompt ?? readFileSync(join(req.dir, m.promptFile!), 'utf8');
  const at = req.slot ? Date.parse(req.slot) : startedAt;
  const p = localParts(at, m.timezone);
  const date = `${p.year}-${p.month}-${p.day}`;
  const vars: Record<string, string> = { date, slot: req.slot ?? new Date(startedAt).toISOString(), skill: m.name };
  const text = raw.replace(/\{\{\s*(date|slot|skill)\s*\}\}/g, (_all, k: string) => vars[k]!);
  // The slot in the skill's zone; a manual run (no slot) adds its run id so two never collide.
  const label = `${date}T${p.hour}${p.minute}${p.second}${req.slot ? '' : `-${req.runId}`}`;
  const outputFile = join(req.home, 'outputs', m.name, `${label}.md`);
  return { text, outputFile, output: relative(req.home, outputFile), ...(m.deliver ? { deliver: m.deliver } : {}) };
}
