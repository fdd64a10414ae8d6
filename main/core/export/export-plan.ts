// What every exporter shares: which skills go out, the files they write, and the list of what
// does not map exactly (printed by the command and written into the files; never dropped).
import type { LoadedSkill, SkillManifest } from '../../common/types.ts';
import { formatProblem } from '../skills/skill-loader.ts';

export interface ExportContext {
  home: string;
  /** Absolute path of the Node binary and of bin/clawkeeper.js, for commands on this machine. */
  node: string;
  bin: string;
  /** The exporting machine's IANA zone: what a skill without `timezone` is scheduled in. */
  machineZone: string;
  paused: Set<string>;
  now: number;
}

export interface ExportedFile {
  /** Relative to the output folder. */
  path: string;
  content: string;
}

export interface SkillNote {
  skill: string;
  note: string;
}

export interface ExportResult {
  files: ExportedFile[];
  notes: SkillNote[];
  /** What to do with the files, for the command's output. */
  next: string[];
}

/** Policies only the host applies, per skill; every target lists them. */
export function hostOnlyNotes(m: SkillManifest): string[] {
  const out: string[] = [];
  if (m.catchUp.mode === 'all') out.push(
    `catchUp "all" (up to ${m.catchUp.max} missed slots): an external scheduler starts at most the newest missed slot, as catchUp "once"`,
  );
  if (m.needs.length > 0) out.push(
    `needs ${JSON.stringify(m.needs)}: run-once does not wait for dependencies; it runs whatever their state`,
  );
  if (m.breaker !== false) out.push(
    `breaker (trip after ${m.breaker.failures} failures): only the host applies it; run-once runs every slot`,
  );
  if (m.budget?.tokensPerDay !== undefined) out.push(`budget.tokensPerDay: counted by the host only`);
  return out;
}

/** Skills that cannot go out at all, as notes. */
export function invalidNotes(skills: LoadedSkill[]): SkillNote[] {
  return skills.filter((s) => !s.manifest).map(
    (s) => ({ skill: s.name, note: `invalid, not exported: ${s.problems.map(formatProblem).join('; ')}` }),
  );
}

export function stateNote(m: SkillManifest, paused: Set<string>): string | null {
  if (!m.enabled) return 'disabled (enabled: false)';
  if (paused.has(m.name)) return 'paused (runs/_paused.json)';
  return null;
}
