// What an import (or a --follow pass) does to the skills folder. A skill folder written by an
// import remembers its job and the exact text written in `.openclaw-job` (job id, then the
// sha256 of skill.json), so a later pass finds its own skills again, updates them when the job
// changed, and leaves alone (as "detached") a skill someone edited by hand. A folder it did not
// write is never taken over.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { MappedJob } from './openclaw-import.ts';
import { planChannel, writeChannels, type AlertChannels, type ChannelPlan } from './openclaw-alerts.ts';

export const MARKER = '.openclaw-job';

export type Action = 'create' | 'unchanged' | 'update' | 'detached' | 'remove';

export interface Planned {
  name: string;
  action: Action;
  /** Absent for a removal (its job is gone from the store). */
  job?: MappedJob;
  text?: string;
  jobId: string;
  /** The alert channel its failureAlert webhook becomes (named after the skill). */
  channel?: ChannelPlan;
}

interface Marker {
  jobId: string;
  hash: string | null;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function readMarker(dir: string): Marker | null {
  try {
    const [jobId, hash] = readFileSync(join(dir, MARKER), 'utf8').split('\n');
    return jobId ? { jobId, hash: hash || null } : null;
  } catch {
    return null;
  }
}

/** Whether skill.json is still exactly what the import wrote (no hash: an older import; compare with `text`). */
function untouched(dir: string, marker: Marker, text?: string): boolean {
  let current: string;
  try {
    current = readFileSync(join(dir, 'skill.json'), 'utf8');
  } catch {
    return false;
  }
  return marker.hash ? sha(current) === marker.hash : current === text;
}

/**
 * Names and actions, in time linear in the number of jobs and folders: every marker is read
 * once, and each base name keeps a counter, so 3,000 jobs of one name try each suffix once.
 * `removeGone`: a skill whose job left the store is removed (--follow), unless edited by hand.
 */
export function planImport(
  mapped: MappedJob[], skillsDir: string,
  o: { force: boolean; bundledDir: string | null; removeGone?: boolean; alerts?: AlertChannels },
): Planned[] {
  const existing = existsSync(skillsDir) ? readdirSync(skillsDir) : [];
  const owned = new Map<string, { name: string; marker: Marker }>();
  for (const name of existing) {
    const m = readMarker(join(skillsDir, name));
    if (m && !owned.has(m.jobId)) owned.set(m.jobId, { name, marker: m });
  }
  const folders = new Set(existing);
  // A bundled skill's name is taken too: a user skill of that name would replace it.
  const taken = new Set<string>(o.bundledDir && existsSync(o.bundledDir) ? readdirSync(o.bundledDir) : []);
  const counter = new Map<string, number>();
  const out: Planned[] = [];
  const seen = new Set<string>();
  for (const job of mapped) {
    seen.add(job.jobId);
    const own = owned.get(job.jobId);
    let name: string;
    if (own && !taken.has(own.name)) {
      name = own.name;
    } else {
      let n = counter.get(job.baseName) ?? 2;
      name = job.baseName;
      while (taken.has(name) || folders.has(name)) name = `${job.baseName.slice(0, 56)}-${n++}`;
      counter.set(job.baseName, n);
    }
    taken.add(name);
    // The channel is named after the skill, so it is known only now; the skill names it unless refused.
    const channel = job.alert && 'webhook' in job.alert && o.alerts ? planChannel(name, job.alert.webhook, o.alerts) : undefined;
    const alerts = channel && channel.action !== 'refused' ? { alerts: [channel.name] } : {};
    const text = JSON.stringify({ ...job.manifest, name, ...alerts }, null, 2) + '\n';
    const dir = join(skillsDir, name);
    let action: Action = 'create';
    if (own && own.name === name && existsSync(join(dir, 'skill.json'))) {
      const current = readFileSync(join(dir, 'skill.json'), 'utf8');
      if (current === text) action = 'unchanged';
      else action = untouched(dir, own.marker, text) || o.force ? 'update' : 'detached';
    }
    out.push({ name, action, job, text, jobId: job.jobId, ...(channel ? { channel } : {}) });
  }
  if (o.removeGone) {
    for (const [jobId, own] of owned) {
      if (seen.has(jobId)) continue;
      const dir = join(skillsDir, own.name);
      out.push({ name: own.name, jobId, action: untouched(dir, own.marker) ? 'remove' : 'detached' });
    }
  }
  return out;
}

/** Skills written by an import and edited by hand since (left alone by later imports and --follow), with their job. */
export function detachedSkills(skillsDir: string): { name: string; jobId: string }[] {
  const out: { name: string; jobId: string }[] = [];
  for (const name of existsSync(skillsDir) ? readdirSync(skillsDir) : []) {
    const m = readMarker(join(skillsDir, name));
    if (m?.hash && !untouched(join(skillsDir, name), m)) out.push({ name, jobId: m.jobId });
  }
  return out;
}

/**
 * Writes what the plan says (skill.json and its marker, atomically); returns the names changed.
 * The alert channels first (`alerts`), so no skill names a channel that is not there yet; a
 * skill left alone (detached) gets none.
 */
export function applyPlan(plan: Planned[], skillsDir: string, alerts?: AlertChannels): string[] {
  if (alerts) writeChannels(
    plan.flatMap((p) => (p.channel && p.action !== 'detached' && p.action !== 'remove' ? [p.channel] : [])), alerts,
  );
  const changed: string[] = [];
  for (const p of plan) {
    const dir = join(skillsDir, p.name);
    if (p.action === 'remove') {
      rmSync(dir, { recursive: true, force: true });
      changed.push(p.name);
      continue;
    }
    if ((p.action !== 'create' && p.action !== 'update') || p.text === undefined) continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic.sync(join(dir, 'skill.json'), p.text, { fsync: false });
    writeFileAtomic.sync(join(dir, MARKER), `${p.jobId}\n${sha(p.text)}\n`, { fsync: false });
    changed.push(p.name);
  }
  return changed;
}
