import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, writeSkill } from '../helpers/home.ts';
import { modelHomePerTest } from '../helpers/model-home.ts';

function cli(home: string, args: string[]) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], {
      env: { ...process.env, CLAWKEEPER_HOME: home, NO_COLOR: '1', CLAWKEEPER_FROM_SOURCE: '1' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

function snapshot(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const s = statSync(p);
    out.push(`${p}:${s.isDirectory() ? 'dir' : s.size}`);
    if (s.isDirectory()) out.push(...snapshot(p));
  }
  return out.sort();
}

describe('clawkeeper run --dry-run', () => {
  const modelHome = modelHomePerTest();

  it('prints a prompt skill\'s prompt with its token count and budget, sends nothing and writes nothing', async () => {
    const t = await modelHome();
    const { server } = t;
    writeSkill(t.home, 'brief', {
      schedule: '0 7 * * *', model: true, prompt: 'Summarize the news for {{skill}} on {{date}}.',
      budget: { tokensPerRun: 5000, tokensPerDay: 20000 },
    });
    const before = snapshot(t.home);
    const r = await cli(t.home, ['run', 'brief', '--dry-run']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /budget tokensPerRun=5000, tokensPerDay=20000 \(0 used today, 20000 left\)/);
    assert.match(
      r.out,
      /--- prompt 1 \(\d+ tokens; budget allows 5000 more tokens in this run\) ---\nSummarize the news for brief on \d{4}-\d{2}-\d{2}\./,
    );
    assert.match(r.out, /the reply would go to outputs\/brief\//);
    assert.equal(server.requests.length, 0, 'nothing reached the model server');
    assert.deepEqual(snapshot(t.home), before, 'no ledger, status, output or log file');
  });

  it('runs a JS skill with a client that sends nothing and prints each of its prompts', async () => {
    const t = await modelHome();
    const { server } = t;
    writeSkill(t.home, 'two', { schedule: '0 7 * * *', model: true }, 'model-two-calls.mjs');
    const before = snapshot(t.home);
    const r = await cli(t.home, ['run', 'two', '--dry-run']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /--- prompt 1 \(\d+ tokens; no budget\) ---\nfirst question/);
    assert.match(r.out, /--- prompt 2 \(\d+ tokens; no budget\) ---\nsecond question/);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(snapshot(t.home), before);
  });
});
