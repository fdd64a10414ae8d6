import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatchUpMode, LoadedSkill, SkillManifest, SkillProblem, SkillSource } from '../../common/types.ts';
import { readModelsFile, type ModelsFile } from '../models/config.ts';
import { checkModelFields, normalizeModelFields } from '../models/manifest.ts';
import { SKILL_NAME, validateSkillJson } from './skill-schema.ts';
import { describeJsonError } from './json-error.ts';
import { checkScheduleFields } from './schedule-fields.ts';
import { sharedFolderProblem } from '../home/no-follow.ts';

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
  // A user skill runs as us: one another user owns, or could change, is theirs, not ours.
  const foreign = source === 'user' ? foreignSkillProblem(dir, file) : null;
  if (foreign) {
    problem('(owner)', foreign);
    return result;
  }
  let data: unknown;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
    data = JSON.parse(text);
  } catch (err) {
    problem('(file)', describeJsonError(text, err));
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
  checkScheduleFields(raw, problem);
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
    ...pick(raw, ['schedule', 'timezone', 'every', 'anchor', 'at', 'jitterSeconds']),
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
    breaker: raw.breaker === false ? false : {
      failures: DEFAULTS.breaker.failures, coolDownSeconds: DEFAULTS.breaker.coolDownSeconds,
      ...(raw.breaker as object | undefined),
    },
    ...(raw.inheritEnv ? { inheritEnv: raw.inheritEnv as string[] } : {}),
    ...(raw.alerts !== undefined ? { alerts: raw.alerts as string[] | false } : {}),
    ...(raw.ping !== undefined ? { ping: (raw.ping as string).replace(/\/+$/, '') } : {}),
    ...normalizeModelFields(raw),
  };
}

/** The fields of `keys` that `raw` has (absent ones stay absent, not undefined). */
function pick(raw: Record<string, unknown>, keys: string[]): Partial<SkillManifest> {
  const out: Partial<SkillManifest> = Object.fromEntries(keys.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
  return out;
}

/** Why a user skill's folder or skill.json is not the caller's to run (null when it is). */
function foreignSkillProblem(dir: string, file: string): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  try {
    const shared = sharedFolderProblem(dir);
    if (shared) return `${shared.replace(/: another user could plant .*$/, '')}: not run; chmod go-w it, or remove it if it is not yours`;
    const owner = statSync(file).uid;
    if (owner !== uid && owner !== 0) {
      return `skill.json belongs to another user (uid ${owner}, you are uid ${uid}): not run; remove it if it is not yours`;
    }
  } catch (err) {
    return `cannot check who owns it: ${(err as Error).message}`;
  }
  return null;
}

export function formatProblem(p: SkillProblem): string {
  return `${p.file}: ${p.field}: ${p.message}`;
}

export function formatProblems(skill: LoadedSkill, indent = ''): string {
  return skill.problems.map((p) => indent + formatProblem(p)).join('\n');
}
