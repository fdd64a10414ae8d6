// The skill page's API inside the Electron window, answered from the host's files.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ledger } from '../../main/core/runs/ledger.ts';
import { RunsIndex } from '../../main/core/layers/gateway/runs-index.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { ensureHome, homePaths } from '../../main/core/home/paths.ts';
import { skillPageApi } from '../../main/electron/skill-page-protocol.ts';
import { tempHome } from '../helpers/home.ts';
import { snapshot } from './fixtures.ts';

describe('app://dashboard/api/skills/... in the window', () => {
  it('answers the page and a log from the files, 404 for an unknown skill, and leaves other paths to the file handler', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      ensureHome(paths);
      mkdirSync(join(paths.logs, 'heartbeat'), { recursive: true });
      writeFileSync(join(paths.logs, 'heartbeat', 'r1.log'), 'up 3 days\n');
      const d = {
        paths, ledger: new Ledger(paths.runs, createMemoryLogger()), runs: new RunsIndex(paths.runs),
        snapshot: () => snapshot(),
      };
      const page = skillPageApi(new URL('app://dashboard/api/skills/heartbeat/page'), d);
      assert.equal(page?.status, 200);
      assert.equal((page?.body as { skill: { name: string } }).skill.name, 'heartbeat');
      assert.deepEqual(skillPageApi(
        new URL('app://dashboard/api/skills/heartbeat/log/r1?from=3'), d,
      ), { status: 200, body: { text: '3 days\n', next: 10, size: 10 } });
      assert.equal(skillPageApi(new URL('app://dashboard/api/skills/nope/page'), d)?.status, 404);
      assert.equal(skillPageApi(new URL('app://dashboard/api/skills/heartbeat/log/..%2Ftoken'), d)?.status, 400);
      assert.equal(skillPageApi(new URL('app://dashboard/app.js'), d), null);
      // The runs view and a run's saved reply are answered in the window too.
      assert.deepEqual(skillPageApi(new URL('app://dashboard/api/runs'), d), {
        status: 200, body: { runs: [], total: 0, capped: false, offset: 0, limit: 50, skills: [] },
      });
      assert.equal(skillPageApi(new URL('app://dashboard/api/skills/heartbeat/output/r1'), d)?.status, 404);
    } finally {
      t.cleanup();
    }
  });
});
