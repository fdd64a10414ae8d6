import { afterEach } from 'node:test';

/**
 * Cleanups for the tests of the describe block (or file) this is called in: each function a test
 * (or a helper it calls) hands to the returned `afterTest` runs after that test, last handed first,
 * whatever the test asserted. One list instead of a `let cleanup = () => {}` that each test
 * overwrites (and that forgets the first of two things to undo). Inside a test body that has its
 * context, `t.after(fn)` does the same.
 */
export function cleanupsPerTest(): (fn: () => unknown) => void {
  const pending: (() => unknown)[] = [];
  afterEach(async () => {
    while (pending.length > 0) await pending.pop()!();
  });
  return (fn) => {
    pending.push(fn);
  };
}
