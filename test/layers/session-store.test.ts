import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SessionStore } from '../../main/core/layers/session/session-store.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHome } from '../helpers/home.ts';

describe('session history is bounded and read from where it is asked', () => {
  it('rotates past its cap keeping one generation, and a since-subscribe near the end of a large history reads a bounded number of bytes', () => {
    const t = tempHome();
    try {
      const cap = 1024 * 1024;
      const store = new SessionStore(t.home, cap);
      const payload = 'p'.repeat(100) + 'é日本語'; // multi-byte characters straddle read chunks
      for (let i = 1; i <= 25_000; i++) store.append('big', 'message', { i, payload }, `id-${i}`);
      const files = readdirSync(t.home).sort();
      assert.deepEqual(files, ['big.jsonl', 'big.jsonl.1']);
      for (const f of files) assert.ok(statSync(join(t.home, f)).size <= cap + 1024, `${f} over its cap`);

      const fresh = new SessionStore(t.home, cap); // as after a restart: nothing in memory
      assert.equal(fresh.lastSeq('big'), 25_000);
      assert.equal(fresh.seqOf('big', 'id-24990'), 24_990, 'a repeated publish id is still recognised');
      const before = fresh.reader.bytesRead;
      const tail = fresh.since('big', 24_990);
      const read = fresh.reader.bytesRead - before;
      assert.deepEqual(tail.map((e) => e.seq), [24_991, 24_992, 24_993, 24_994, 24_995, 24_996, 24_997, 24_998, 24_999, 25_000]);
      assert.ok(read < 64 * 1024, `read ${read} bytes of a ${statSync(join(t.home, 'big.jsonl')).size}-byte file`);

      // Reaching back into the older generation, still in order and without gaps.
      const current = readFileSync(join(t.home, 'big.jsonl'), 'utf8');
      const firstCurrent = (JSON.parse(current.slice(0, current.indexOf('\n'))) as { seq: number }).seq;
      const across = fresh.since('big', firstCurrent - 5);
      assert.equal(across[0]!.seq, firstCurrent - 4);
      assert.ok(across.every((e, i) => i === 0 || e.seq === across[i - 1]!.seq + 1));
      assert.ok(across.every((e) => (e.data as { payload: string }).payload === payload), 'every event decoded whole');
      assert.equal(fresh.since('big', 0).filter((e) => (e.data as { payload: string }).payload !== payload).length, 0);
      assert.equal(across[across.length - 1]!.seq, 25_000);
      assert.equal(fresh.append('big', 'message', 'next').seq, 25_001, 'numbering continues after a restart');
    } finally {
      t.cleanup();
    }
  });

  it('daily-memory reads the rotated generation of a session too', async () => {
    const t = tempHome();
    try {
      const dir = join(t.home, 'sessions');
      mkdirSync(dir, { recursive: true });
      const now = new Date().toISOString();
      writeFileSync(
        join(dir, 'chat.jsonl.1'),
        JSON.stringify({ type: 'event', session: 'chat', seq: 1, ts: now, kind: 'message', data: 'from-the-older-generation' }) + '\n',
      );
      writeFileSync(
        join(dir, 'chat.jsonl'),
        JSON.stringify({ type: 'event', session: 'chat', seq: 2, ts: now, kind: 'message', data: 'from-the-current-file' }) + '\n',
      );
      const r = await runCli(t.home, ['run', 'daily-memory']);
      assert.equal(r.code, 0, r.out + r.err);
      const memory = readFileSync(join(t.home, 'memory', readdirSync(join(t.home, 'memory'))[0]!), 'utf8');
      assert.match(memory, /from-the-older-generation/);
      assert.match(memory, /from-the-current-file/);
      assert.match(memory, /## Session chat\n/);
      assert.doesNotMatch(memory, /Session chat\.jsonl/);
    } finally {
      t.cleanup();
    }
  });
});
