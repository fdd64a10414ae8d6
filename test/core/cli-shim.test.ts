// The `clawkeeper` command for the packaged app: a shell shim that runs the app's binary with --cli.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { installCliShim } from '../../main/core/install/cli-shim.ts';
import { cliArgs } from '../../main/electron/cli-mode.ts';
import { tempHome } from '../helpers/home.ts';

describe('the clawkeeper command shim', () => {
  it('runs the app binary with --cli and every argument intact, even from a path with spaces and quotes', () => {
    const t = tempHome();
    try {
      const appDir = join(t.home, "Claw Keeper's.app", 'Contents', 'MacOS');
      mkdirSync(appDir, { recursive: true });
      const bin = join(appDir, 'ClawKeeper');
      writeFileSync(bin, '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\n');
      chmodSync(bin, 0o755);
      const r = installCliShim(
        bin, [join(t.home, 'missing-system-dir'), join(t.home, 'user', '.local', 'bin')], join(t.home, 'user'),
        `/usr/bin:${join(t.home, 'user', '.local', 'bin')}`,
      );
      assert.ok(r.ok, !r.ok ? r.why : '');
      assert.equal(r.path, join(t.home, 'user', '.local', 'bin', 'clawkeeper'));
      assert.equal(r.onPath, true);
      const out = spawnSync(r.path, ['status', '--json', 'a b'], { encoding: 'utf8' });
      assert.equal(out.stdout, '[--cli][status][--json][a b]');
      assert.deepEqual(cliArgs(['/x/ClawKeeper', '--cli', 'status', '--json']), ['status', '--json']);
      assert.equal(cliArgs(['/x/ClawKeeper']), null);
    } finally {
      t.cleanup();
    }
  });

  it('never overwrites a clawkeeper command that is not its own, and replaces its own', () => {
    const t = tempHome();
    try {
      const dir = join(t.home, 'bin');
      mkdirSync(dir);
      writeFileSync(join(dir, 'clawkeeper'), '#!/bin/sh\necho the repository checkout\n');
      const r = installCliShim('/Applications/ClawKeeper.app/Contents/MacOS/ClawKeeper', [dir], '/nonexistent');
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.why : '', /exists and is not ClawKeeper's/);
      assert.match(readFileSync(join(dir, 'clawkeeper'), 'utf8'), /repository checkout/);
      writeFileSync(join(dir, 'clawkeeper'), '#!/bin/sh\n# clawkeeper command shim: old\n');
      assert.equal(installCliShim('/new/ClawKeeper', [dir], '/nonexistent').ok, true);
      assert.match(readFileSync(join(dir, 'clawkeeper'), 'utf8'), /'\/new\/ClawKeeper' --cli/);
    } finally {
      t.cleanup();
    }
  });
});
