import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CronJob, type ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parse } from 'yaml';
import { IMAGE_APP_DIR, IMAGE_COPIES, IMAGE_ENTRY } from '../../../main/core/export/dockerfile.ts';
import { ROOT, readLedger, tempHome, writeSkill } from '../../helpers/home.ts';

function clawkeeper(
  home: string, args: string[], cwd = ROOT, bin = join(ROOT, 'bin', 'clawkeeper.js'),
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], {
      cwd, env: { ...process.env, CLAWKEEPER_HOME: home, NO_COLOR: '1', TZ: 'Europe/Berlin' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

function skillsForExport(home: string): void {
  writeSkill(
    home, 'poster',
    {
      schedule: '0 9 * * MON-FRI', timezone: 'America/New_York', overlap: 'replace', staleAfterMinutes: 30,
      timeoutSeconds: 60, retries: { max: 2, backoffSeconds: 10 }, env: { FEED: 'en' },
    },
    'ok.mjs',
  );
  writeSkill(
    home, 'digest',
    { schedule: '30 2 * * *', timezone: 'Europe/Berlin', overlap: 'queue', catchUp: { mode: 'all', max: 5 }, needs: ['network'] },
    'ok.mjs',
  );
  writeSkill(home, 'ticker', { schedule: '*/10 * * * * *', enabled: false }, 'ok.mjs');
  writeSkill(home, 'month-end', { schedule: '0 4 L * *' }, 'ok.mjs');
  writeSkill(home, 'quiet', { schedule: '0 7 * * 0' }, 'ok.mjs');
  mkdirSync(join(home, 'runs'), { recursive: true });
  writeFileSync(join(home, 'runs', '_paused.json'), '["quiet"]');
}

describe('clawkeeper export kubernetes', () => {
  it('writes one CronJob per skill and a PVC that the Kubernetes OpenAPI schema (batch/v1 with timeZone) accepts', async () => {
    const t = tempHome();
    try {
      skillsForExport(t.home);
      const out = join(t.home, 'k8s');
      const r = await clawkeeper(t.home, ['export', 'kubernetes', '--out', out, '--image', 'registry.example/ck:1', '--namespace', 'bots']);
      assert.equal(r.code, 0, r.out + r.err);
      const files = readdirSync(out).sort();
      assert.ok(files.includes('pvc.yaml') && files.includes('Dockerfile'));
      const jobs = files.filter((f) => f.startsWith('cronjob-'));
      assert.ok(jobs.length >= 5, files.join(' '));
      for (const f of jobs) {
        const obj = parse(readFileSync(join(out, f), 'utf8')) as ICronJob;
        // The models' validate() is ajv code compiled from the Kubernetes OpenAPI schema; it throws on any violation.
        assert.doesNotThrow(() => new CronJob(obj).validate(), f);
      }
      assert.doesNotThrow(
        () => new PersistentVolumeClaim(parse(readFileSync(join(out, 'pvc.yaml'), 'utf8')) as IPersistentVolumeClaim).validate(),
      );
      assert.equal(jobs.includes('cronjob-month-end.yaml'), false, 'an L schedule cannot be exported');
    } finally {
      t.cleanup();
    }
  });

  it('maps schedule, zone, overlap, staleness, pause, timeout and env, and lists what does not map', async () => {
    const t = tempHome();
    try {
      skillsForExport(t.home);
      const out = join(t.home, 'k8s');
      const r = await clawkeeper(t.home, ['export', 'kubernetes', '--out', out, '--image', 'registry.example/ck:1', '--namespace', 'bots']);
      const job = (name: string) => parse(readFileSync(join(out, `cronjob-${name}.yaml`), 'utf8')) as ICronJob;
      const poster = job('poster');
      assert.equal(poster.metadata?.namespace, 'bots');
      assert.equal(poster.spec?.schedule, '0 9 * * 1-5');
      assert.equal(poster.spec?.timeZone, 'America/New_York');
      assert.equal(poster.spec?.concurrencyPolicy, 'Replace');
      assert.equal(poster.spec?.startingDeadlineSeconds, 1800);
      assert.equal(poster.spec?.suspend, false);
      const jobSpec = poster.spec.jobTemplate.spec!;
      assert.equal(jobSpec.backoffLimit, 0);
      // 3 attempts of (60 s + 5 s kill grace) + backoffs 10 + 20 + 30 s margin
      assert.equal(jobSpec.activeDeadlineSeconds, 3 * 65 + 30 + 30);
      const c = jobSpec.template.spec!.containers[0]!;
      assert.equal(c.image, 'registry.example/ck:1');
      assert.deepEqual(c.args, ['run-once', 'poster']);
      assert.deepEqual(c.env, [
        { name: 'CLAWKEEPER_HOME', value: '/data' }, { name: 'TZ', value: 'America/New_York' },
        { name: 'FEED', value: 'en' },
      ]);
      assert.deepEqual(c.volumeMounts, [{ name: 'home', mountPath: '/data' }]);
      assert.equal(jobSpec.template.spec!.volumes![0]!.persistentVolumeClaim!.claimName, 'clawkeeper-home');

      assert.equal(job('digest').spec?.concurrencyPolicy, 'Allow');
      assert.equal(job('ticker').spec?.suspend, true, 'disabled');
      assert.equal(job('quiet').spec?.suspend, true, 'paused');
      assert.equal(job('quiet').spec?.timeZone, 'Europe/Berlin', 'no timezone: the exporting machine zone');
      assert.equal(job('ticker').spec?.schedule, '* * * * *');

      for (const [skill, what] of [
        ['digest', /catchUp "all"/], ['digest', /needs \["network"\]/],
        ['digest', /overlap "queue" → concurrencyPolicy Allow/], ['digest', /DST change of Europe\/Berlin/],
        ['ticker', /has seconds/], ['month-end', /no Kubernetes equivalent.*no CronJob written/], ['quiet', /paused/],
      ] as const) {
        assert.match(r.out, new RegExp(`${skill}: .*${what.source}`), `${skill} ${what}`);
      }
      const annotation = job('digest').metadata?.annotations?.['clawkeeper/not-exact'] ?? '';
      assert.match(annotation, /catchUp "all"/);
      assert.match(readFileSync(join(out, 'cronjob-digest.yaml'), 'utf8'), /^# Not exact: needs/m);
    } finally {
      t.cleanup();
    }
  });

  it('has a schema validator that rejects a broken CronJob (the validation is real)', () => {
    const bad = {
      metadata: { name: 'x' },
      spec: {
        schedule: '* * * * *', timeZone: 1, concurrencyPolicy: 'Sometimes',
        jobTemplate: { spec: { template: { spec: { containers: [] } } } },
      },
    };
    assert.throws(
      () => new CronJob(bad as unknown as ICronJob).validate(),
      /timeZone must be string|concurrencyPolicy must be equal to one of the allowed values/,
    );
  });

  it('writes a Dockerfile whose copies exist in the app and whose entry point is the package bin, and that layout runs run-once', async () => {
    const t = tempHome();
    try {
      const out = join(t.home, 'k8s');
      await clawkeeper(t.home, ['export', 'kubernetes', '--out', out]);
      const text = readFileSync(join(out, 'Dockerfile'), 'utf8');
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      assert.equal(pkg.bin.clawkeeper, IMAGE_ENTRY);
      assert.match(text, new RegExp(`ENTRYPOINT \\["node", "${IMAGE_APP_DIR}/${IMAGE_ENTRY}"\\]`));
      const copied = [...text.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
      assert.deepEqual(copied.sort(), [...IMAGE_COPIES].sort());
      for (const p of copied) assert.ok(existsSync(join(ROOT, p)), `${p} is not in the app folder`);
      // The image's layout: only what the Dockerfile copies, plus installed modules.
      const app = join(t.home, 'image');
      for (const p of copied) cpSync(join(ROOT, p), join(app, p), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
      const home = join(t.home, 'data');
      const r = await clawkeeper(home, ['run-once', 'heartbeat', '--slot', '2026-01-05T10:00:00Z'], app, join(app, IMAGE_ENTRY));
      assert.equal(r.code, 0, r.out + r.err);
      assert.deepEqual(readLedger(home, 'heartbeat').map((e) => [e.type, e.outcome ?? null]), [['start', null], ['end', 'success']]);
    } finally {
      t.cleanup();
    }
  });
});
