import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { homePaths } from '../../main/core/home/paths.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { effectivePorts, readHeadlessSettings, SETTINGS_DEFAULTS, settingsOrDefaults } from '../../main/core/home/settings.ts';
import { tempHome } from '../helpers/home.ts';

describe('settings (config.json through conf, the schema electron-store uses too)', () => {
  it('defaults without a config file, and the environment wins over the file', async () => {
    const t = tempHome();
    try {
      assert.deepEqual(await readHeadlessSettings(homePaths(t.home)), SETTINGS_DEFAULTS);
      writeFileSync(join(t.home, 'config.json'), JSON.stringify({ gatewayPort: 4019, notifications: false }));
      const s = await readHeadlessSettings(homePaths(t.home));
      assert.equal(s.gatewayPort, 4019);
      assert.equal(s.notifications, false);
      assert.deepEqual(effectivePorts({}, s), { gateway: 4019, session: 3020 });
      assert.deepEqual(effectivePorts({ CLAWKEEPER_GATEWAY_PORT: '5019' }, s), { gateway: 5019, session: 3020 });
    } finally {
      t.cleanup();
    }
  });

  it('a config file that breaks the schema is refused with a message naming the setting, and the host runs on defaults', async () => {
    const t = tempHome();
    try {
      writeFileSync(join(t.home, 'config.json'), JSON.stringify({ gatewayPort: 'eighty' }));
      await assert.rejects(readHeadlessSettings(homePaths(t.home)), /gatewayPort/);
      const logger = createMemoryLogger();
      assert.deepEqual(await settingsOrDefaults(homePaths(t.home), logger), SETTINGS_DEFAULTS, 'the host still starts');
      assert.match(logger.lines.join('\n'), /config\.json: .*gatewayPort.*running on the default settings/);
    } finally {
      t.cleanup();
    }
  });
});
