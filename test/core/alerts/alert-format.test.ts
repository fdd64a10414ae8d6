import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAlert, type AlertToSend } from '../../../main/core/alerts/alert-format.ts';

const a = (extra: Partial<AlertToSend> = {}): AlertToSend => ({
  event: 'disk-full', message: 'disk full: /Users/me/.openclaw/runs', at: '2026-03-01T08:00:00.000Z', host: 'mac-mini',
  title: 'Disk full: skills are not starting', ...extra,
});
const secret = () => 'https://example.test/hook';

describe('channel formats', () => {
  it('ntfy: urgent events get priority 5; a title that is not ASCII travels RFC 2047-encoded, which ntfy decodes', () => {
    const o = formatAlert(
      { name: 'p', type: 'ntfy', url: { value: 'x', where: '' } }, a({ title: 'Sauvegarde échouée ⚠', delayed: true }),
      secret,
    );
    assert.equal(o.kind, 'http');
    if (o.kind !== 'http') return;
    assert.equal(o.headers.Priority, '5');
    assert.equal(o.headers.Tags, 'rotating_light,disk-full');
    assert.equal(o.headers.Title, `=?UTF-8?B?${Buffer.from('(delayed) Sauvegarde échouée ⚠').toString('base64')}?=`);
    assert.match(o.body!, /\(delayed: this happened at 2026-03-01T08:00:00\.000Z\)/);
  });

  it('discord and telegram messages stay within their limits (2000 and 4096 characters)', () => {
    const long = a({ message: 'x'.repeat(10_000) });
    const d = formatAlert({ name: 'd', type: 'discord', url: { value: 'x', where: '' } }, long, secret);
    const t = formatAlert(
      { name: 't', type: 'telegram', botToken: { value: 'x', where: '' }, chatId: '1', apiBase: 'http://127.0.0.1:1' },
      long, () => '1:tok',
    );
    assert.equal((JSON.parse((d as { body: string }).body) as { content: string }).content.length, 2000);
    assert.equal((JSON.parse((t as { body: string }).body) as { text: string }).text.length, 4096);
    assert.equal((t as { url: string }).url, 'http://127.0.0.1:1/bot1:tok/sendMessage');
  });

  it('a good-news event is priority 3 with a check mark', () => {
    const o = formatAlert(
      { name: 'p', type: 'ntfy', url: { value: 'x', where: '' } }, a({ event: 'disk-ok', title: 'Disk space is back' }),
      secret,
    );
    assert.equal(o.kind === 'http' && o.headers.Priority, '3');
    assert.equal(o.kind === 'http' && o.headers.Tags, 'white_check_mark,disk-ok');
  });
});
