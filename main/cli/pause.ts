import { mkdirSync } from 'node:fs';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { Breakers } from '../core/runs/breaker.ts';
import { cleanPauseNote, PAUSE_NOTE_MAX, readPauses, writePaused } from '../core/skills/paused.ts';
import { discoverSkills } from '../core/skills/skill-loader.ts';
import { askHost } from './ask-host.ts';
import type { CliContext } from './commands.ts';

/**
 * `clawkeeper pause|resume <skill>`: by the host that holds the home (so its schedule, dashboard
 * and tray change at once), else in runs/_paused.json, which the next host reads. Resuming a
 * paused skill also closes its tripped breaker, as the host's resume does.
 */
export async function pauseCommand(ctx: CliContext, name: string, pause: boolean, rawNote?: string): Promise<number> {
  const op = pause ? 'pause' : 'resume';
  if (rawNote !== undefined && rawNote.length > PAUSE_NOTE_MAX) {
    ctx.err(`clawkeeper ${op}: --note is ${rawNote.length} characters; keep it to ${PAUSE_NOTE_MAX} (one line: why it is paused)`);
    return 64;
  }
  const note = pause && rawNote !== undefined ? cleanPauseNote(rawNote) : undefined;
  const home = resolveHome(ctx.env);
  const r = await askHost(home, { id: 1, op, skill: name, ...(note ? { note } : {}) });
  if (r && !r.ok) {
    ctx.err(`clawkeeper ${op}: ${r.error.message}`);
    return 1;
  }
  if (r) {
    ctx.out(`${name}: ${pause ? 'paused' : 'resumed'} by the host`);
    return 0;
  }
  const paths = homePaths(home);
  if (!discoverSkills(bundledSkillsDir(), paths.skills).some((s) => s.name === name)) {
    ctx.err(`clawkeeper ${op}: no skill named "${name}" in ${paths.skills} or the bundled skills; \`clawkeeper skills\` lists them`);
    return 1;
  }
  mkdirSync(paths.runs, { recursive: true, mode: 0o700 });
  const paused = readPauses(paths);
  const wasPaused = paused.has(name);
  if (pause) paused.set(name, { note: note ?? '', at: new Date().toISOString() });
  else paused.delete(name);
  writePaused(paths, paused);
  if (!pause && wasPaused) {
    const breakers = new Breakers(paths.breakers, ctx.logger);
    breakers.load();
    breakers.close(name);
  }
  ctx.out(`${name}: ${pause ? 'paused' : 'resumed'} (no host is running with ${home}; the next one starts from this)`);
  return 0;
}
