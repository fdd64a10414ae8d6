import type { LoadedSkill } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';
import { readPauses, writePaused, type PauseRecord } from '../skills/paused.ts';
import { formatProblems } from '../skills/skill-loader.ts';
import { validateSkills } from '../skills/skill-validation.ts';
import { dependencyNeeds } from '../dependencies/needed-by.ts';
import type { DependencyMonitor } from '../dependencies/monitor.ts';
import type { DependencyWaits } from '../dependencies/waits.ts';
import type { TriggerTarget } from '../scheduling/trigger.ts';
import { skillSlots } from '../scheduling/slots.ts';

export interface SkillRegistryOptions {
  paths: HomePaths;
  bundledSkillsDir: string | null;
  env: NodeJS.ProcessEnv;
  log: Logger;
  dependencies: DependencyMonitor;
  waits: DependencyWaits;
}

/**
 * The host's skills: what the skill folders hold (valid or not, with their problems), which
 * are paused (runs/_paused.json, with their notes), and what the dependency monitor must watch for them.
 */
export class SkillRegistry {
  private readonly o: SkillRegistryOptions;
  private skills = new Map<string, LoadedSkill>();
  private readonly paused = new Map<string, PauseRecord>();

  constructor(o: SkillRegistryOptions) {
    this.o = o;
  }

  loadPaused(): void {
    for (const [n, r] of readPauses(this.o.paths)) this.paused.set(n, r);
  }

  /**
   * Reads the skill folders and the dependency definitions. A need nobody defined makes its
   * skill invalid (file and field named), never a crash. Returns every skill found.
   */
  load(): LoadedSkill[] {
    const { paths, log } = this.o;
    const { skills: found, specs } = validateSkills(paths, this.o.bundledSkillsDir, this.o.env, (m) => log.warn(m));
    this.skills = new Map(found.map((s) => [s.name, s]));
    const neededBy = dependencyNeeds(found, paths.config);
    this.o.dependencies.configure(specs, neededBy);
    this.o.waits.keepOnly((name) => this.skills.get(name)?.manifest != null);
    for (const s of found) {
      if (!s.manifest) log.warn(`skill "${s.name}" is invalid and will not run:\n${formatProblems(s)}`);
    }
    return found;
  }

  get(name: string): LoadedSkill | undefined {
    return this.skills.get(name);
  }

  has(name: string): boolean {
    return this.skills.has(name);
  }

  list(): LoadedSkill[] {
    return [...this.skills.values()];
  }

  valid(): LoadedSkill[] {
    return this.list().filter((s) => s.manifest !== null);
  }

  invalid(): LoadedSkill[] {
    return this.list().filter((s) => s.manifest === null);
  }

  /** What the trigger arms: every valid, enabled skill's slots. */
  schedules(): TriggerTarget[] {
    return this.valid()
      .filter((s) => s.manifest!.enabled)
      .map((s) => ({ name: s.name, slots: skillSlots(s.name, s.manifest!) }));
  }

  /** The needs of a skill that are down now (empty: it may run). */
  downNeeds(name: string): string[] {
    const m = this.skills.get(name)?.manifest;
    return m ? this.o.dependencies.downOf(m.needs) : [];
  }

  isPaused(name: string): boolean {
    return this.paused.has(name);
  }

  /** The note kept with a pause ('' for none), or null when the skill is not paused. */
  pauseNote(name: string): string | null {
    return this.paused.get(name)?.note ?? null;
  }

  /** Pauses (with an optional note) or resumes a known skill and saves the list; false for an unknown skill. */
  setPaused(name: string, on: boolean, note = ''): boolean {
    if (!this.skills.has(name)) return false;
    if (on) this.paused.set(name, { note, at: new Date().toISOString() });
    else this.paused.delete(name);
    writePaused(this.o.paths, this.paused);
    return true;
  }
}
