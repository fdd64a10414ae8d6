import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatusLine, parseStatusLine, sanitizeSkillFields } from '../../main/common/status-line.ts';

describe('status line', () => {
  it('round-trips values containing , = % and line breaks', () => {
    const fields = { status: 'success', note: 'a,b=c\nd%e\r' };
    const line = formatStatusLine(fields);
    assert.equal(line, 'status=success,note=a%2Cb%3Dc%0Ad%25e%0D');
    assert.doesNotMatch(line, /\n/);
    assert.deepEqual(parseStatusLine(line), fields);
  });

  it('parses the article examples', () => {
    assert.deepEqual(parseStatusLine('posts=4,account=en,last_run=2026-01-01T00:00:00Z'), {
      posts: '4', account: 'en', last_run: '2026-01-01T00:00:00Z',
    });
  });

  it('refuses lines that are not in the format instead of guessing', () => {
    assert.equal(parseStatusLine('garbage'), null);
    assert.equal(parseStatusLine('Bad=1'), null);
    assert.equal(parseStatusLine('a=1,b'), null);
    assert.equal(parseStatusLine(''), null);
  });

  it('drops bad and reserved keys with a warning each and stringifies values', () => {
    const { fields, warnings } = sanitizeSkillFields({ 'Bad Key': 1, status: 'forged', n: 3, ok: true, obj: { a: 1 }, none: null });
    assert.deepEqual(fields, { n: '3', ok: 'true', obj: '{"a":1}', none: '' });
    assert.equal(warnings.length, 2);
    assert.match(warnings.join('\n'), /Bad Key.*\[a-z0-9_\]/);
    assert.match(warnings.join('\n'), /"status" dropped: reserved/);
  });

  it('ignores a result that is not an object, saying so', () => {
    const { fields, warnings } = sanitizeSkillFields([1, 2]);
    assert.deepEqual(fields, {});
    assert.match(warnings[0]!, /must be an object/);
  });
});

describe('status line against line-splitting readers', () => {
  it('encodes every control character and U+2028/U+2029, and decodes them back', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('') + '\u2028\u2029é日本';
    const line = formatStatusLine({ status: 'success', v: all });
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.deepEqual(parseStatusLine(line), { status: 'success', v: all });
  });

  it('still reads a file written before: single-byte escapes and a raw tab', () => {
    assert.deepEqual(parseStatusLine('status=success,note=a%2Cb%0A\tc'), { status: 'success', note: 'a,b\n\tc' });
  });

  it('refuses a line carrying a raw line separator instead of splitting it', () => {
    assert.equal(parseStatusLine('status=failure,x=1\u2028status=success'), null);
    assert.equal(parseStatusLine('status=failure,x=1\vstatus=success'), null);
  });
});
