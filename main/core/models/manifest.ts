import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { SkillManifest } from '../../common/types.ts';
import type { ModelsFile } from './config.ts';

/**
 * skill.json's agent fields, checked beyond the schema: exactly one way to run (entry, command,
 * prompt or promptFile), a model for a prompt skill, and a model that config.json knows.
 */
export function checkModelFields(
  raw: Record<string, unknown>, dir: string, models: ModelsFile | undefined,
): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const ways = (['entry', 'command', 'prompt', 'promptFile'] as const).filter((k) => raw[k] !== undefined);
  if (ways.length !== 1) {
    out.push({
      field: ways[1] ?? '(root)',
      message: 'give exactly one of "entry" (a JS module), "command" (an argv array), "prompt" or "promptFile" (a prompt skill)',
    });
  }
  for (const key of ['entry', 'promptFile'] as const) {
    const v = raw[key];
    if (typeof v !== 'string') continue;
    const rel = relative(dir, resolve(dir, v));
    if (isAbsolute(v) || rel.startsWith('..') || isAbsolute(rel)) out.push({
      field: key, message: `"${v}" points outside the skill folder; give a path inside it`,
    });
    else if (!existsSync(resolve(dir, v))) out.push({ field: key, message: `file "${v}" does not exist in ${dir}` });
  }
  const isPrompt = raw.prompt !== undefined || raw.promptFile !== undefined;
  const model = modelRef(raw.model);
  if (isPrompt && !model) out.push({
    field: 'model',
    message: 'a prompt skill needs a model: "model": true (the default model) or "model": "<name from config.json models>"',
  });
  if (raw.deliver !== undefined && !isPrompt) out.push({
    field: 'deliver', message: 'only a prompt skill delivers its reply; a JS skill posts what it wants itself',
  });
  if (model && models) {
    if (!models.models[model.name]) {
      const known = Object.keys(models.models);
      const how = model.name === 'default'
        ? 'add "models": {"default": {"baseURL", "model"}} to config.json, or set CLAWKEEPER_MODEL_BASE_URL and CLAWKEEPER_MODEL_NAME'
        : `add "models": {"${model.name}": {"baseURL", "model"}} to config.json`;
      const broken = models.problems.length ? `; config.json has problems: ${models.problems.join('; ')}` : '';
      out.push({
        field: 'model',
        message: `no model "${model.name}" is configured (${known.length ? `known: ${known.join(', ')}` : 'none configured'}): ${how}${broken}`,
      });
    }
  }
  return out;
}

function modelRef(v: unknown): { name: string; optional: boolean } | null {
  if (v === true) return { name: 'default', optional: false };
  if (typeof v === 'string') return { name: v, optional: false };
  if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') {
    const o = v as { name: string; optional?: boolean };
    return { name: o.name, optional: o.optional === true };
  }
  return null;
}

/** model true → {name: 'default'}, a string → {name}; budget, prompt, promptFile, deliver as given. */
export function normalizeModelFields(
  raw: Record<string, unknown>,
): Pick<SkillManifest, 'model' | 'budget' | 'prompt' | 'promptFile' | 'deliver'> {
  const model = modelRef(raw.model);
  return {
    ...(model ? { model } : {}),
    ...(raw.budget ? { budget: raw.budget } : {}),
    ...(typeof raw.prompt === 'string' ? { prompt: raw.prompt } : {}),
    ...(typeof raw.promptFile === 'string' ? { promptFile: raw.promptFile } : {}),
    ...(raw.deliver ? { deliver: raw.deliver as { webhook: string } } : {}),
  };
}
