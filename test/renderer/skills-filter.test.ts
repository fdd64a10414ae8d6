import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byName, filterSort } from '../../renderer/skills-filter.js';

describe('the skills table order (renderer/skills-filter.js)', () => {
  it('orders skill names exactly as localeCompare does, for every character a skill name may hold', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    const names: string[] = [];
    for (const a of alphabet) for (const b of alphabet) names.push(`${a}${b}`, `x${a}-${b}9`, `${a}`);
    assert.deepEqual([...names].sort(byName), [...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('puts failing skills first, then by name; by name alone; by next run, never-scheduled last', () => {
    const skills = [
      { name: 'b-ok', state: 'ok', nextRun: '2026-01-01T00:02:00Z' },
      { name: 'a-ok', state: 'ok', nextRun: null },
      { name: 'z-failing', state: 'failing', nextRun: '2026-01-01T00:01:00Z' },
      { name: 'c10', state: 'paused', nextRun: '2026-01-01T00:03:00Z' },
      { name: 'c9', state: 'late', nextRun: '2026-01-01T00:03:00Z' },
    ];
    const names = (sort: 'attention' | 'name' | 'next', q = '') => (filterSort(skills, q, sort) as { name: string }[]).map((s) => s.name);
    assert.deepEqual(names('attention'), ['z-failing', 'c9', 'c10', 'a-ok', 'b-ok']);
    assert.deepEqual(names('name'), ['a-ok', 'b-ok', 'c10', 'c9', 'z-failing']);
    assert.deepEqual(names('next'), ['z-failing', 'b-ok', 'c10', 'c9', 'a-ok']);
    assert.deepEqual(names('name', 'OK'), ['a-ok', 'b-ok']);
  });
});
