// The packaged app, checked here: electron-builder packs app.asar exactly as for a release
// (against a stand-in Electron), and every file the app loads at run time must be inside, and the
// paths it computes in that layout must be real. Packs once per run (~5-10 s).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appRootFrom, bundledSkillsDirFrom, unpackedPath } from '../../main/core/home/app-paths.ts';
import { checkPackage, requiredFiles } from '../../scripts/package/check.ts';
import { packWithStandIn, type Packed } from '../../scripts/package/pack.ts';
import { ROOT } from '../helpers/home.ts';

describe('the packaged app', { timeout: 120_000 }, () => {
  let work = '';
  let packed: Packed;
  let required: ReturnType<typeof requiredFiles>;
  before(async () => {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT },
    );
    work = mkdtempSync(join(tmpdir(), 'ck-package-test-'));
    packed = await packWithStandIn(ROOT, work);
    required = requiredFiles(ROOT);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('derives the run-time files from the code: entry, layer and skill-child processes, preload, dashboard, icons, dependencies', () => {
    for (const f of ['dist/main/electron/main.js', 'dist/main/electron/preload.cjs', 'dist/main/core/layers/gateway/gateway.js',
      'dist/main/core/layers/session/session.js',
      'dist/main/core/runs/skill-child.js', 'renderer/index.html', 'renderer/app.js', 'renderer/login.js', 'main/common/session-client.js',
      'build/icons/trayTemplate@2x.png', 'node_modules/preact/dist/preact.module.js', 'node_modules/uplot/dist/uPlot.min.css']) {
      assert.ok(required.required.includes(f), `${f} is traced`);
    }
    assert.ok(required.required.some((f) => f.startsWith('node_modules/ws/')), 'production dependencies are traced');
    assert.ok(!required.required.some((f) => f.startsWith('node_modules/electron/')), 'electron itself is provided by the runtime');
  });

  it('packs every run-time file into app.asar, and the paths the app computes there are real', () => {
    const r = checkPackage(ROOT, packed.resources, required);
    assert.deepEqual(r.missing, []);
    assert.deepEqual(r.problems, []);
  });

  it('runs bundled skills from real folders in app.asar.unpacked, never from inside the archive', () => {
    const archive = join(packed.resources, 'app.asar');
    const skills = bundledSkillsDirFrom(
      appRootFrom(
        join(archive, 'dist', 'main', 'core', 'home'),
        (p) => [join(archive, 'package.json'), join(archive, 'skills')].includes(p),
      ),
    );
    assert.equal(skills, join(packed.resources, 'app.asar.unpacked', 'skills'));
    assert.ok(statSync(join(skills, 'heartbeat', 'skill.json')).isFile());
    assert.ok(statSync(join(skills, 'heartbeat')).isDirectory());
  });

  it('reports a run-time file left out of the package', () => {
    const r = checkPackage(ROOT, packed.resources, { ...required, required: [...required.required, 'dist/main/core/not-packed.js'] });
    assert.deepEqual(r.missing, ['dist/main/core/not-packed.js']);
  });

  it('reports bundled skills that were not unpacked (no asarUnpack)', () => {
    const skills = join(packed.resources, 'app.asar.unpacked', 'skills');
    renameSync(skills, `${skills}.gone`);
    try {
      const r = checkPackage(ROOT, packed.resources, required);
      assert.ok(r.problems.some((p) => p.startsWith('bundledSkillsDir() is not a real folder')), r.problems.join('\n'));
    } finally {
      renameSync(`${skills}.gone`, skills);
    }
  });
});

describe('unpackedPath', () => {
  it('maps a path inside app.asar to app.asar.unpacked and leaves others alone', () => {
    const r = `${sep}Applications${sep}ClawKeeper.app${sep}Contents${sep}Resources`;
    assert.equal(unpackedPath(join(r, 'app.asar', 'skills')), join(r, 'app.asar.unpacked', 'skills'));
    assert.equal(unpackedPath(join(r, 'app.asar')), join(r, 'app.asar.unpacked'));
    assert.equal(unpackedPath(join(ROOT, 'skills')), join(ROOT, 'skills'));
    assert.equal(unpackedPath(join(r, 'app.asarx', 'skills')), join(r, 'app.asarx', 'skills'));
  });
});
