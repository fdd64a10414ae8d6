// `clawkeeper export kubernetes`: one batch/v1 CronJob per skill (the container runs
// `clawkeeper run-once <skill>`), a PersistentVolumeClaim mounted as CLAWKEEPER_HOME, and a
// Dockerfile. Validated against the Kubernetes OpenAPI schema in test/core/export/kubernetes.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
// Types only (stripped at run time): kubernetes-models is a dev dependency.
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { LoadedSkill, SkillManifest } from '../../common/types.ts';
import { appRoot } from '../home/app-paths.ts';
import { compactSet, CronConvertError, parseCronFields, type CronFields } from './cron-fields.ts';
import { dockerfile, IMAGE_HOME, IMAGE_UID } from './dockerfile.ts';
import { describeDst } from './dst-check.ts';
import { hostOnlyNotes, invalidNotes, stateNote, type ExportContext, type ExportResult } from './export-plan.ts';

export const PVC_NAME = 'clawkeeper-home';
const KILL_GRACE_S = 5;

/** A 5-field schedule in the Kubernetes (robfig/cron) dialect: numbers only, weekday 0-6. */
export function kubernetesSchedule(f: CronFields): string {
  const d = f.days;
  const dom = d.kind === 'dom' || d.kind === 'or' ? compactSet(d.dom, 1, 31, '-') : '*';
  const dow = d.kind === 'dow' || d.kind === 'or' ? compactSet(d.dow, -1, 6, '-') : '*';
  return [compactSet(f.minutes, 0, 59, '-'), compactSet(f.hours, 0, 23, '-'), dom, compactSet(f.months, 1, 12, '-'), dow].join(' ');
}

/** CronJob names are DNS labels of at most 52 characters (the controller appends a suffix). */
export function cronJobName(skill: string): string {
  const plain = `clawkeeper-${skill}`;
  if (plain.length <= 52 && !plain.endsWith('-')) return plain;
  const hash = createHash('sha256').update(skill).digest('hex').slice(0, 6);
  return `ck-${skill.slice(0, 40).replace(/-+$/, '')}-${hash}`;
}

/** All attempts (each bounded by timeoutSeconds plus the kill grace) and the backoffs between them. */
export function activeDeadline(m: SkillManifest): number {
  const attempts = m.retries.max + 1;
  let backoff = 0;
  for (let a = 1; a < attempts; a++) backoff += m.retries.backoffSeconds * 2 ** (a - 1);
  return Math.ceil(attempts * (m.timeoutSeconds + KILL_GRACE_S) + backoff + 30);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'latest';
  }
}

function yamlDoc(obj: unknown, comments: string[]): string {
  // No anchors: the same labels object appears three times, and kubectl users read these files.
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  if (comments.length > 0) doc.commentBefore = comments.map((c) => ` ${c}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

export function exportKubernetes(skills: LoadedSkill[], ctx: ExportContext, o: { image?: string; namespace?: string }): ExportResult {
  const image = o.image ?? `clawkeeper:${version()}`;
  const ns = o.namespace ? { namespace: o.namespace } : {};
  const result: ExportResult = { files: [], notes: invalidNotes(skills), next: [] };
  const labels = { 'app.kubernetes.io/name': 'clawkeeper' };
  for (const s of skills) {
    const m = s.manifest;
    if (!m) continue;
    const notes = hostOnlyNotes(m);
    let f: CronFields;
    try {
      f = parseCronFields(m.schedule);
    } catch (err) {
      if (!(err instanceof CronConvertError)) throw err;
      result.notes.push({ skill: m.name, note: `schedule "${m.schedule}" has no Kubernetes equivalent (${err.message}): no CronJob written` });
      continue;
    }
    if (f.seconds.length !== 1 || f.seconds[0] !== 0) notes.push(`schedule "${m.schedule}" has seconds; a CronJob fires on whole minutes, so run-once serves the newest slot of each matching minute only`);
    // A skill without a zone is scheduled in the exporting machine's zone, as the host would.
    const zone = m.timezone ?? ctx.machineZone;
    if (!m.timezone) notes.push(`no timezone: exported as ${zone} (this machine's zone, what the host uses)`);
    const dst = describeDst(m.schedule, zone, 'a wall-clock timer', ctx.now);
    if (dst) notes.push(`${dst} (the CronJob controller's behaviour at DST changes is not verified here)`);
    if (m.overlap === 'queue') notes.push('overlap "queue" → concurrencyPolicy Allow: a new slot starts beside a running one instead of waiting for it');
    if (m.staleAfterMinutes === undefined && m.catchUp.mode !== 'skip') notes.push('no staleAfterMinutes: no startingDeadlineSeconds, so the controller starts a missed slot however late (and stops after 100 missed ones)');
    if (m.catchUp.mode === 'skip') notes.push('catchUp "skip": a slot the controller starts late (within startingDeadlineSeconds) still runs');
    const state = stateNote(m, ctx.paused);
    if (state) notes.push(`${state}: exported with suspend: true`);
    for (const n of notes) result.notes.push({ skill: m.name, note: n });

    const name = cronJobName(m.name);
    const podLabels = { ...labels, 'app.kubernetes.io/component': 'skill', 'app.kubernetes.io/instance': name };
    const job: ICronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name,
        ...ns,
        labels: podLabels,
        annotations: { 'clawkeeper/skill': m.name, 'clawkeeper/schedule': m.schedule, ...(notes.length > 0 ? { 'clawkeeper/not-exact': notes.join('\n') } : {}) },
      },
      spec: {
        schedule: kubernetesSchedule(f),
        timeZone: zone,
        concurrencyPolicy: m.overlap === 'skip' ? 'Forbid' : m.overlap === 'replace' ? 'Replace' : 'Allow',
        ...(m.staleAfterMinutes !== undefined ? { startingDeadlineSeconds: Math.ceil(m.staleAfterMinutes * 60) } : {}),
        suspend: state !== null,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: podLabels },
          spec: {
            // Retries happen inside run-once (the skill's retries policy); a pod retry would be a second run.
            backoffLimit: 0,
            activeDeadlineSeconds: activeDeadline(m),
            template: {
              metadata: { labels: podLabels },
              spec: {
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, runAsUser: IMAGE_UID, runAsGroup: IMAGE_UID, fsGroup: IMAGE_UID },
                containers: [
                  {
                    name: 'skill',
                    image,
                    args: ['run-once', m.name],
                    env: [
                      { name: 'CLAWKEEPER_HOME', value: IMAGE_HOME },
                      { name: 'TZ', value: zone },
                      ...Object.entries(m.env).map(([k, v]) => ({ name: k, value: v })),
                    ],
                    volumeMounts: [{ name: 'home', mountPath: IMAGE_HOME }],
                  },
                ],
                volumes: [{ name: 'home', persistentVolumeClaim: { claimName: PVC_NAME } }],
              },
            },
          },
        },
      },
    };
    result.files.push({ path: `cronjob-${m.name}.yaml`, content: yamlDoc(job, [`Generated by \`clawkeeper export kubernetes\` from ${s.file}.`, ...notes.map((n) => `Not exact: ${n.replace(/\n/g, ' ')}`)]) });
  }
  const pvc: IPersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: PVC_NAME, ...ns, labels },
    spec: {
      // Pods of different skills (and overlapping runs) may be on different nodes at once.
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '1Gi' } },
    },
  };
  result.files.push({ path: 'pvc.yaml', content: yamlDoc(pvc, ['CLAWKEEPER_HOME of every skill pod: skills/, runs/ (ledger, claims), skills/status/, logs/.', 'Its file system must honour O_EXCL (local disks, NFSv3+, most CSI volumes do): run-once claims slots with it.']) });
  result.files.push({ path: 'Dockerfile', content: dockerfile(version()) });
  result.next.push(
    `docker build -f <out>/Dockerfile -t ${image} ${appRoot()}   (then push it where the cluster pulls from)`,
    `kubectl apply -f <out>/   (the PVC and one CronJob per skill)`,
    `copy your skills (${join(ctx.home, 'skills')}) into the volume's skills/ folder, e.g. with kubectl cp through a pod that mounts ${PVC_NAME}`,
  );
  return result;
}
