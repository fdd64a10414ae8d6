// The one validation of the skill folders: the schema and field checks (skill-loader.ts) plus
// the check that every need names a known dependency. `skills`, `status`, `run`, the host and
// every view use it, so they never disagree on whether a skill is valid, and every problem of
// a skill is reported at once (a skill with five schema problems and an unknown need has six).
import { readFileSync } from 'node:fs';
import type { LoadedSkill } from '../../common/types.ts';
import { readDependencySpecs, type DependencySpec } from '../dependencies/config.ts';
import type { HomePaths } from '../home/paths.ts';
import { discoverSkills } from './skill-loader.ts';

export interface ValidatedSkills {
  skills: LoadedSkill[];
  specs: Map<string, DependencySpec>;
}

/** The `needs` a skill.json lists, read raw when the skill is invalid for other reasons too. */
function declaredNeeds(s: LoadedSkill): string[] {
  if (s.manifest) return s.manifest.needs;
  try {
    const raw = JSON.parse(readFileSync(s.file, 'utf8')) as { needs?: unknown };
    return Array.isArray(raw.needs) ? raw.needs.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** Every skill of the home (bundled and user), each with every problem it has; never throws. */
export function validateSkills(
  paths: HomePaths, bundledDir: string | null, env: NodeJS.ProcessEnv, warn?: (m: string) => void,
): ValidatedSkills {
  const skills = discoverSkills(bundledDir, paths.skills);
  const specs = readDependencySpecs(paths, env, warn);
  for (const s of skills) {
    const unknown = declaredNeeds(s).filter((n) => !specs.has(n));
    if (unknown.length === 0) continue;
    s.problems.push(
      ...unknown.map(
        (n) => ({
          file: s.file, field: 'needs',
          message: `unknown dependency "${n}": define it in ${paths.config} under "dependencies" (network is built in)`,
        }),
      ),
    );
    s.manifest = null;
  }
  return { skills, specs };
}
