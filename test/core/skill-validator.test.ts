import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateValidator, VALIDATOR_FILE } from '../../scripts/gen-skill-validator.ts';

describe('the precompiled skill.json validator', () => {
  it('matches the schema in skill-schema.ts (run `npm run gen:validator` after changing it)', () => {
    assert.equal(readFileSync(VALIDATOR_FILE, 'utf8'), generateValidator());
  });
});
