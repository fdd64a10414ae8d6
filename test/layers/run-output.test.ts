// A prompt skill's saved reply on the run's row (gateway/run-output.ts): Markdown rendered with no
// raw HTML and no script-bearing link; only files inside outputs/<skill>/ are read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readRunOutput, renderMarkdown } from '../../main/core/layers/gateway/run-output.ts';
import { rowFromStart, type RunRow } from '../../main/core/layers/gateway/runs-index.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { tempHome } from '../helpers/home.ts';

const row = (output: string | null): RunRow => ({
  ...rowFromStart({
    type: 'start', run_id: 'r1', skill: 'digest', slot: null, trigger: 'manual', attempt: 1,
    started_at: '2026-01-01T00:00:00.000Z', host_pid: 1,
  }),
  outcome: 'success', output,
});

describe('a run\'s saved reply', () => {
  it('renders Markdown; raw HTML stays text, script links are not links, images do not load, links open apart', () => {
    const html = renderMarkdown(
      '# Today\n\n- **one**\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[bad](javascript:alert(3)) [data](data:text/html,hi) [ok](https://example.com/a)\n\n![pic](https://example.com/p.png)',
    );
    assert.match(html, /<h1>Today<\/h1>/);
    assert.match(html, /<strong>one<\/strong>/);
    assert.doesNotMatch(html, /<script|<img|<[^>]*\sonerror=/i);
    assert.match(html, /&lt;script&gt;/);
    assert.doesNotMatch(html, /href="javascript:|href="data:/i);
    assert.match(html, /<a href="https:\/\/example.com\/a" rel="noopener noreferrer nofollow" target="_blank">ok<\/a>/);
    assert.match(html, /\[image: pic\]/);
  });

  it('reads the reply the ledger names, and refuses a path outside outputs/<skill>/ (plain, .., another skill, a symlink out)', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      mkdirSync(join(paths.outputs, 'digest'), { recursive: true });
      mkdirSync(join(paths.outputs, 'other'), { recursive: true });
      writeFileSync(join(paths.outputs, 'digest', 'a.md'), '*hello*');
      writeFileSync(join(paths.outputs, 'other', 'b.md'), 'not yours');
      writeFileSync(join(t.home, 'token'), 'secret');
      symlinkSync(join(t.home, 'token'), join(paths.outputs, 'digest', 'link.md'));
      const out = readRunOutput(paths, row('outputs/digest/a.md'), 'digest', 'r1');
      assert.deepEqual(out, { runId: 'r1', path: 'outputs/digest/a.md', html: '<p><em>hello</em></p>\n', bytes: 7, truncated: false });
      for (const bad of ['token', 'outputs/digest/../../token', 'outputs/other/b.md', '/etc/passwd', 'outputs/digest/link.md']) {
        assert.throws(
          () => readRunOutput(paths, row(bad), 'digest', 'r1'),
          (e: Error & { status?: number }) => e.status === 403 && /nothing outside the outputs folder is served/.test(e.message),
          bad,
        );
      }
      assert.throws(() => readRunOutput(paths, row(null), 'digest', 'r1'), /saved no reply/);
      assert.throws(() => readRunOutput(paths, null, 'digest', 'r9'), /no run r9 of digest/);
      assert.throws(() => readRunOutput(paths, row('outputs/digest/gone.md'), 'digest', 'r1'), /no longer there/);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a reply behind an outputs/<skill> or outputs folder that is a link (a skill could point it at the home and its token)', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      writeFileSync(join(t.home, 'token'), 'secret');
      mkdirSync(paths.outputs, { recursive: true });
      symlinkSync(t.home, join(paths.outputs, 'digest'));
      const linkErr = (e: Error & { status?: number }) => e.status === 403 && /outputs\/digest is a link or not a folder/.test(e.message) && !/secret/.test(e.message);
      assert.throws(() => readRunOutput(paths, row('outputs/digest/token'), 'digest', 'r1'), linkErr);
      // The whole outputs folder a link to a folder holding the secret: refused as well.
      const elsewhere = join(t.home, 'elsewhere');
      mkdirSync(join(elsewhere, 'digest'), { recursive: true });
      writeFileSync(join(elsewhere, 'digest', 'token.md'), 'secret');
      renameSync(paths.outputs, join(t.home, 'old-outputs'));
      symlinkSync(elsewhere, paths.outputs);
      assert.throws(() => readRunOutput(paths, row('outputs/digest/token.md'), 'digest', 'r1'), (e: Error & { status?: number }) => e.status === 403 && /outputs is a link or not a folder/.test(e.message));
    } finally {
      t.cleanup();
    }
  });

  it('serves a link from one reply to another inside outputs/<skill>, and refuses a FIFO there at once instead of waiting on it', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      mkdirSync(join(paths.outputs, 'digest'), { recursive: true });
      writeFileSync(join(paths.outputs, 'digest', 'a.md'), '*hello*');
      symlinkSync(join(paths.outputs, 'digest', 'a.md'), join(paths.outputs, 'digest', 'latest.md'));
      assert.equal(readRunOutput(paths, row('outputs/digest/latest.md'), 'digest', 'r1').html, '<p><em>hello</em></p>\n');
      execFileSync('mkfifo', [join(paths.outputs, 'digest', 'pipe.md')]);
      const began = Date.now();
      assert.throws(() => readRunOutput(paths, row('outputs/digest/pipe.md'), 'digest', 'r1'), (e: Error & { status?: number }) => e.status === 403 && /not a regular file/.test(e.message));
      assert.ok(Date.now() - began < 1000);
    } finally {
      t.cleanup();
    }
  });
});
