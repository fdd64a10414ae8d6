import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeJsonError } from '../../../main/core/skills/json-error.ts';

function problemOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return describeJsonError(text, err);
  }
  throw new Error('parsed');
}

describe('describeJsonError', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a trailing comma in an object names the line of the }', '{\n  "a": 1,\n}',
      /^not valid JSON at line 3, column 1: .*: a trailing comma, remove the comma before it$/,
    ],
    ['a trailing comma in a list', '{"a": [1, 2, ]}', /^not valid JSON at line 1, column 14: .*a trailing comma/],
    [
      'a missing comma points at the next key', '{\n  "a": 1\n  "b": 2\n}',
      /^not valid JSON at line 3, column 3: Expected ',' or '}' after property value$/,
    ],
    ['a file cut short points past its end', '{\n  "a": 1', /^not valid JSON at line 2, column 9: .*the file ends too early/],
    ['a stray word, which V8 reports without a position', '{\n  "a": yes\n}', /^not valid JSON at line 2, column 8: Unexpected token 'y'$/],
    ['an empty file', '', /^not valid JSON at line 1, column 1: Unexpected end of JSON input: the file ends too early/],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.match(problemOf(text), want));
  }

  it('an error without a position keeps its message', () => {
    assert.equal(describeJsonError('x', new Error('EACCES: permission denied')), 'not valid JSON: EACCES: permission denied');
  });
});
