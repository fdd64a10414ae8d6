// Issue #17 as a new user meets it: the real CLI against a real host (and against a dead one).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite } from '../helpers/host-process.ts';

const FIVE_PROBLEMS = {
  schedule: 'every day', timeoutSeconds: -1, overlap: 'sometimes', catchUp: 'maybe', retries: { max: -3 },
  needs: ['nas', 'nfs'],
};

describe('the CLI is honest about invalid skills and dependencies (a live host)', () => {
  let nas: Server | undefined;
  const h = hostForSuite(async (home) => {
    const server = (nas = createServer((s) => s.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({ dependencies: { nas: { probe: `tcp://127.0.0.1:${port}`, everySeconds: 60 } } }),
    );
    writeSkill(home, 'fine', { schedule: '55 23 * * *', needs: ['nas'] }, 'ok.mjs');
    writeSkill(home, 'broken', FIVE_PROBLEMS, 'ok.mjs');
    writeSkill(home, 'needy', { schedule: '0 7 * * *', needs: ['nsa'] }, 'ok.mjs');
  });
  after(() => nas?.close());

  it('status and health say degraded (exit 1) and the banner names each invalid skill with why', async () => {
    const s = await runCli(h.home, ['status'], { CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort) });
    assert.equal(s.code, 1, s.out + s.err);
    assert.match(
      s.out,
      /^● DEGRADED — 2 skills invalid: broken — timeoutSeconds: must be > 0; .*; needy — needs: unknown dependency "nsa"/,
    );
    assert.doesNotMatch(s.out, /OPERATIONAL|All systems operational/);
    const health = await runCli(h.home, ['health'], { CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort) });
    assert.equal(health.code, 1, health.out);
    assert.match(health.out, /Gateway up but degraded/);
    const api = JSON.parse((await runCli(h.home, ['status', '--json'])).out) as {
      mode: string; skills: { name: string; scheduleText: string | null }[];
    };
    assert.equal(api.mode, 'degraded');
    assert.equal(api.skills.find((k) => k.name === 'fine')?.scheduleText, 'At 23:55', 'status --json says what the text view says');
  });

  it('skills, status and run agree: the unknown need is invalid everywhere, and a skill with five schema problems also lists its need', async () => {
    const r = await runCli(h.home, ['skills']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^needy\s+user\s+-\s+INVALID$/m);
    assert.doesNotMatch(r.out, /^needy\s.*valid$/m);
    const from = r.out.indexOf('broken is invalid');
    const broken = r.out.slice(from, r.out.indexOf('needy is invalid', from));
    assert.match(broken, /broken is invalid and will not run \(6 problems\)/);
    for (const field of [
      'schedule', 'timeoutSeconds', 'overlap', 'catchUp', 'retries', 'needs',
    ]) assert.match(broken, new RegExp(`\\b${field}\\b`), `${field} in:\n${broken}`);
    assert.match(broken, /needs: unknown dependency "nfs"/, 'the need is reported with the schema problems, not hidden by them');
    assert.doesNotMatch(broken, /unknown dependency "nas"/, 'nas is defined in config.json');
    const run = await runCli(h.home, ['run', 'needy']);
    assert.equal(run.code, 1);
    assert.match(run.err, /needs: unknown dependency "nsa"/);
  });

  it('a dependency that is up is written when first known: status from the files alone shows when, never "not probed yet" or a zero time', async () => {
    await waitFor('nas in health/dependencies.jsonl', () => {
      try {
        return readFileSync(join(h.home, 'health', 'dependencies.jsonl'), 'utf8').includes('"dependency":"nas","status":"ok"');
      } catch {
        return false;
      }
    }, 20_000, 100);
    await h.stop();
    const s = await runCli(h.home, ['status']);
    const row = s.out.split('\n').find((l) => l.startsWith('nas ')) ?? '';
    assert.match(row, /^nas\s+ok\s+\d+s ago\s+fine\s/);
    assert.doesNotMatch(s.out, /\d{4,}d ago|not probed yet/);
  });
});

describe('the file-only status of a dead host', () => {
  it('calls the layers unknown, never failed, and the host not running', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'fine', { schedule: '0 7 * * *' }, 'ok.mjs');
      mkdirSync(join(t.home, 'runs'), { recursive: true });
      // A host that died: its pid is gone (pid 2^22 - 1 is beyond Linux's default pid_max).
      writeFileSync(
        join(t.home, 'runs', '_host.json'),
        JSON.stringify({ pid: 4194303, started_at: '2026-12-05T07:00:00.000Z', last_alive: '2026-12-05T07:30:00.000Z' }),
      );
      const s = await runCli(t.home, ['status']);
      assert.equal(s.code, 2, s.out + s.err);
      assert.match(s.out, /^gateway\s+unknown\s/m);
      assert.match(s.out, /^session\s+unknown\s/m);
      assert.doesNotMatch(s.out, /^(gateway|session)\s+failed/m);
      assert.match(s.out, /^runtime\s+failed\s.*not running/m);
    } finally {
      t.cleanup();
    }
  });
});
