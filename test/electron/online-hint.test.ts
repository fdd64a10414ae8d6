import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initializeOnlineHint } from '../../main/electron/online-hint.ts';

describe('net.isOnline() as a probe hint', () => {
  it('calls back only when the OS changes its mind, once per change', () => {
    let online = true;
    const seen: boolean[] = [];
    const h = initializeOnlineHint({ isOnline: () => online, onChange: (o) => seen.push(o), everyMs: 60_000 });
    h.check();
    online = false;
    h.check();
    h.check();
    online = true;
    h.check();
    h.stop();
    assert.deepEqual(seen, [false, true]);
  });
});
