import type { LoadedSkill } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';
import { readPaused, writePaused } from '../skills/paused.ts';
import { discoverSkills, formatProblems } from '../skills/skill-loader.ts';
import { readDependencySpecs } from '../dependencies/config.ts';
import { alertsConfigured } from '../alerts/alert-config.ts';
import type { DependencyMonitor } from '../dependencies/monitor.ts';
import type { DependencyWaits } from '../dependencies/waits.ts';
import type { TriggerTarget } from '../scheduling/trigger.ts';

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
 * are paused (skills/_paused.json), and what the dependency monitor must watch for them.
 */
export class SkillRegistry {
  private readonly o: SkillRegistryOptions;
  private skills = new Map<string, LoadedSkill>();
  private readonly paused = new Set<string>();

  constructor(o: SkillRegistryOptions) {
    this.o = o;
  }

  loadPaused(): void {
    for (const n of readPaused(this.o.paths)) this.paused.add(n);
  }

  /**
   * Reads the skill folders and the dependency definitions. A need nobody defined makes its
   * skill invalid (file and field named), never a crash. Returns every skill found.
   */
  load(): LoadedSkill[] {
    const { paths, log } = this.o;
    const found = discoverSkills(this.o.bundledSkillsDir, paths.skills);
    const specs = readDependencySpecs(paths, this.o.env, (m) => log.warn(m));
    for (const s of found) {
      const unknown = s.manifest?.needs.filter((n) => !specs.has(n)) ?? [];
      if (unknown.length > 0) {
        s.problems.push(...unknown.map((n) => ({ file: s.file, field: 'needs', message: `unknown dependency "${n}": define it in ${paths.config} under "dependencies" (network is built in)` })));
        s.manifest = null;
      }
    }
    this.skills = new Map(found.map((s) => [s.name, s]));
    const neededBy = new Map<string, string[]>();
    for (const s of found) {
      if (!s.manifest?.enabled) continue;
      for (const n of s.manifest.needs) neededBy.set(n, [...(neededBy.get(n) ?? []), s.name]);
    }
    // Alerts and pings wait for the network while it is down (alerts/alert-service.ts): it is
    // probed whenever alert channels or a heartbeat are configured, needed by a skill or not.
    if (!neededBy.has('network') && (alertsConfigured(paths.config) || found.some((s) => s.manifest?.ping))) neededBy.set('network', []);
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

  /** What the trigger arms: every valid, enabled skill's schedule. */
  schedules(): TriggerTarget[] {
    return this.valid()
      .filter((s) => s.manifest!.enabled)
      .map((s) => ({ name: s.name, schedule: s.manifest!.schedule, timezone: s.manifest!.timezone }));
  }

  /** The needs of a skill that are down now (empty: it may run). */
  downNeeds(name: string): string[] {
    const m = this.skills.get(name)?.manifest;
    return m ? this.o.dependencies.downOf(m.needs) : [];
  }

  isPaused(name: string): boolean {
    return this.paused.has(name);
  }

  /** Pauses or resumes a known skill and saves the list; false for an unknown skill. */
  setPaused(name: string, on: boolean): boolean {
    if (!this.skills.has(name)) return false;
    if (on) this.paused.add(name);
    else this.paused.delete(name);
    writePaused(this.o.paths, this.paused);
    return true;
  }
}
