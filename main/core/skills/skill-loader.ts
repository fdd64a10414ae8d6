import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatchUpMode, LoadedSkill, SkillManifest, SkillProblem, SkillSource } from '../../common/types.ts';
import { checkCron, checkTimezone } from '../scheduling/cron.ts';
import { readModelsFile, type ModelsFile } from '../models/config.ts';
import { checkModelFields, normalizeModelFields } from '../models/manifest.ts';
import { SKILL_NAME, validateSkillJson } from './skill-schema.ts';

export const DEFAULTS = {
  timeoutSeconds: 300,
  retries: { max: 0, backoffSeconds: 30 },
  overlap: 'skip',
  catchUpMax: 10,
  catchUp: 'once',
  breaker: { failures: 5, coolDownSeconds: 300 },
} as const;

/**
 * Finds skills in the bundled folder and the user's folder (a user skill of the same name wins).
 * Every skill comes back, the invalid ones with all their problems; none throws.
 */
export function discoverSkills(bundledDir: string | null, userDir: string, models?: ModelsFile): LoadedSkill[] {
  // The models a skill may name live in the home's config.json (userDir is <home>/skills).
  const modelsFile = models ?? readModelsFile(dirname(userDir));
  const byName = new Map<string, LoadedSkill>();
  for (const [dir, source] of [[bundledDir, 'bundled'], [userDir, 'user']] as const) {
    if (!dir || !existsSync(dir)) continue;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry === 'status' || entry.startsWith('.')) continue;
      const skillDir = join(dir, entry);
      try {
        if (!statSync(skillDir).isDirectory()) continue;
      } catch {
        continue;
      }
      byName.set(entry, loadSkill(skillDir, entry, source, modelsFile));
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function loadSkill(dir: string, folderName: string, source: SkillSource, models?: ModelsFile): LoadedSkill {
  const file = join(dir, 'skill.json');
  const problems: SkillProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ file, field, message });
  const result: LoadedSkill = { name: folderName, dir, file, source, manifest: null, problems };

  if (!SKILL_NAME.test(folderName)) {
    problem('(folder)', `folder name "${folderName}" is not a valid skill name: use lower-case letters, digits and dashes`);
  }
  if (!existsSync(file)) {
    problem('(file)', 'no skill.json in this folder: add one, or remove the folder');
    return result;
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problem('(file)', `not valid JSON: ${(err as Error).message}`);
    return result;
  }
  const override = models?.overrides[folderName];
  if (override && data && typeof data === 'object' && !Array.isArray(data)) data = { ...(data), ...override };
  for (const p of validateSkillJson(data)) problem(p.field, p.message);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return result;
  const raw = data as Record<string, unknown>;

  if (typeof raw.name === 'string' && raw.name !== folderName && SKILL_NAME.test(raw.name)) {
    problem('name', `is "${raw.name}" but the folder is "${folderName}": they must match`);
  }
  const tz = typeof raw.timezone === 'string' ? raw.timezone : undefined;
  if (tz !== undefined) {
    const c = checkTimezone(tz);
    if (!c.ok) problem('timezone', c.message!);
  }
  if (typeof raw.schedule === 'string') {
    const c = checkCron(raw.schedule, tz !== undefined && checkTimezone(tz).ok ? tz : undefined);
    if (!c.ok) problem('schedule', c.message!);
  }
  // exactly one of entry | command | prompt | promptFile, a model for a prompt skill, a known model
  for (const p of checkModelFields(raw, dir, models)) problem(p.field, p.message);
  if (problems.length > 0) return result;
  result.manifest = normalize(raw);
  // A model the skill cannot do without is a dependency like any other: while its server is
  // down the skill's slots wait instead of failing (an optional model is no dependency).
  const m = result.manifest;
  if (m.model && !m.model.optional && !m.needs.includes(`model:${m.model.name}`)) m.needs = [...m.needs, `model:${m.model.name}`];
  return result;
}

function normalize(raw: Record<string, unknown>): SkillManifest {
  const retries = (raw.retries ?? {}) as { max?: number; backoffSeconds?: number };
  const catchUpRaw = raw.catchUp ?? DEFAULTS.catchUp;
  const catchUp =
    typeof catchUpRaw === 'string'
      ? { mode: catchUpRaw as CatchUpMode, max: DEFAULTS.catchUpMax }
      : { mode: (catchUpRaw as { mode: CatchUpMode }).mode, max: (catchUpRaw as { max?: number }).max ?? DEFAULTS.catchUpMax };
  return {
    name: raw.name as string,
    description: (raw.description as string | undefined) ?? '',
    schedule: raw.schedule as string,
    timezone: raw.timezone as string | undefined,
    entry: raw.entry as string | undefined,
    command: raw.command as string[] | undefined,
    timeoutSeconds: (raw.timeoutSeconds as number | undefined) ?? DEFAULTS.timeoutSeconds,
    retries: { max: retries.max ?? DEFAULTS.retries.max, backoffSeconds: retries.backoffSeconds ?? DEFAULTS.retries.backoffSeconds },
    overlap: (raw.overlap as SkillManifest['overlap'] | undefined) ?? DEFAULTS.overlap,
    catchUp,
    staleAfterMinutes: raw.staleAfterMinutes as number | undefined,
    env: (raw.env as Record<string, string> | undefined) ?? {},
    enabled: (raw.enabled as boolean | undefined) ?? true,
    needs: (raw.needs as string[] | undefined) ?? [],
    breaker: raw.breaker === false ? false : { failures: DEFAULTS.breaker.failures, coolDownSeconds: DEFAULTS.breaker.coolDownSeconds, ...(raw.breaker as object | undefined) },
    ...(raw.inheritEnv ? { inheritEnv: raw.inheritEnv as string[] } : {}),
    ...(raw.alerts !== undefined ? { alerts: raw.alerts as string[] | false } : {}),
    ...(raw.ping !== undefined ? { ping: (raw.ping as string).replace(/\/+$/, '') } : {}),
    ...normalizeModelFields(raw),
  };
}

export function formatProblem(p: SkillProblem): string {
  return `${p.file}: ${p.field}: ${p.message}`;
}

export function formatProblems(skill: LoadedSkill, indent = ''): string {
  return skill.problems.map((p) => indent + formatProblem(p)).join('\n');
}
