import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd } from '../../main/common/types.ts';
import { parseStatusLine } from '../../main/common/status-line.ts';
import type { Clock } from '../../main/core/scheduling/clock.ts';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger, type Logger } from '../../main/core/home/logger.ts';
import { readFileSync } from 'node:fs';
import { tempHomePerTest } from './home.ts';
import { openAIServerPerTest, type OpenAIServer, type Reply } from './openai-server.ts';

/** config.json with `models.default` (and more) pointing at a test server. */
export function writeModels(home: string, models: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): void {
  writeFileSync(join(home, 'config.json'), JSON.stringify({ models, ...extra }, null, 2));
}

export interface ModelHomeOptions {
  /** The server's replies, in order, then `fallback` (as `startOpenAIServer` takes them). */
  script?: Reply[];
  fallback?: Reply;
  /** More fields of the `default` model (timeoutMs, apiKeyEnv, …). */
  model?: Record<string, unknown>;
  /** More top-level fields of config.json. */
  config?: Record<string, unknown>;
}

/**
 * For the tests of the describe block this is called in: each call makes a fresh home and starts a
 * real OpenAI-compatible server on 127.0.0.1, and config.json names that server as the `default`
 * model (`test-model`). After each test its servers close, then its homes are removed.
 */
export function modelHomePerTest(): (o?: ModelHomeOptions) => Promise<{ home: string; server: OpenAIServer }> {
  const startServer = openAIServerPerTest();
  const newHome = tempHomePerTest();
  return async (o = {}) => {
    const { home } = newHome();
    const server = await startServer(o.script, o.fallback);
    writeModels(home, { default: { baseURL: server.baseURL, model: 'test-model', ...o.model } }, o.config);
    return { home, server };
  };
}

/** A host over the home (no trigger, no lock), for running skills by hand. */
export function localHost(home: string, clock?: Clock, logger: Logger = createMemoryLogger()): Host {
  const host = new Host({ home, bundledSkillsDir: null, logger, useTrigger: false, ...(clock ? { clock } : {}) });
  host.prepareLocal();
  return host;
}

/** Runs a skill once through a host and returns its ledger end entry and status line. */
export async function runOnce(home: string, name: string): Promise<{ end: LedgerEnd; status: Record<string, string> }> {
  const host = localHost(home);
  const skill = host.listSkills().find((s) => s.name === name);
  if (!skill?.manifest) throw new Error(`skill ${name} is invalid: ${JSON.stringify(skill?.problems)}`);
  const end = await host.runLocal(name);
  if (!end) throw new Error(`${name} did not start`);
  return { end, status: readStatus(home, name) };
}

export function readStatus(home: string, name: string): Record<string, string> {
  return parseStatusLine(readFileSync(join(home, 'skills', 'status', `${name}.txt`), 'utf8')) ?? {};
}
