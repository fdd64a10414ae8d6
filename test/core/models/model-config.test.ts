import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modelDependencies, readModelsFile, resolveApiKey } from '../../../main/core/models/config.ts';
import { discoverSkills } from '../../../main/core/skills/skill-loader.ts';
import { tempHomePerTest, writeSkill } from '../../helpers/home.ts';
import { writeModels } from '../../helpers/model-home.ts';

describe('model config and the agent fields of skill.json', () => {
  const newHome = tempHomePerTest();
  function home(): string {
    const t = newHome();
    return t.home;
  }

  it('normalizes model true to the default model and a string to a named one, both required', () => {
    const h = home();
    writeModels(h, { default: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' }, small: { baseURL: 'http://127.0.0.1:2/v1', model: 's' } });
    writeSkill(h, 'a', { schedule: '* * * * *', prompt: 'hi', model: true, budget: { tokensPerRun: 100 } });
    writeSkill(h, 'b', { schedule: '* * * * *', command: ['true'], model: 'small' });
    writeSkill(h, 'c', { schedule: '* * * * *', command: ['true'], model: { name: 'small', optional: true } });
    const [a, b, c] = discoverSkills(null, join(h, 'skills'));
    assert.deepEqual(a!.manifest!.model, { name: 'default', optional: false });
    assert.deepEqual(a!.manifest!.budget, { tokensPerRun: 100 });
    assert.equal(a!.manifest!.prompt, 'hi');
    assert.deepEqual(b!.manifest!.model, { name: 'small', optional: false });
    assert.deepEqual(c!.manifest!.model, { name: 'small', optional: true });
  });

  it('reports an unknown model, a prompt skill without a model, two ways to run and a broken models config, each with file and field', () => {
    const h = home();
    writeModels(h, { default: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' } });
    writeSkill(h, 'unknown', { schedule: '* * * * *', command: ['true'], model: 'big' });
    writeSkill(h, 'no-model', { schedule: '* * * * *', prompt: 'hi' });
    writeSkill(h, 'both', { schedule: '* * * * *', command: ['true'], prompt: 'hi', model: true });
    const byName = Object.fromEntries(discoverSkills(null, join(h, 'skills')).map((s) => [s.name, s]));
    const p = (n: string) => byName[n]!.problems.map((x) => `${x.field}: ${x.message}`).join('\n');
    assert.equal(byName.unknown!.manifest, null);
    assert.match(p('unknown'), /model: no model "big" is configured \(known: default\)/);
    assert.ok(byName.unknown!.problems[0]!.file.endsWith(join('unknown', 'skill.json')));
    assert.match(p('no-model'), /model: a prompt skill needs a model/);
    assert.match(p('both'), /prompt: give exactly one of "entry".*"command".*"prompt" or "promptFile"/);
    writeModels(h, { default: { baseURL: 'not a url', model: 'm' } });
    writeSkill(h, 'uses-default', { schedule: '* * * * *', command: ['true'], model: true });
    const d = discoverSkills(null, join(h, 'skills')).find((s) => s.name === 'uses-default')!;
    assert.match(
      d.problems.map((x) => x.message).join('\n'),
      /no model "default" is configured \(none configured\).*config\.json has problems: .*models\.default\.baseURL/,
    );
  });

  it('takes models.default from CLAWKEEPER_MODEL_BASE_URL and CLAWKEEPER_MODEL_NAME over config.json', () => {
    const h = home();
    writeModels(h, { default: { baseURL: 'http://127.0.0.1:1/v1', model: 'file-model', timeoutMs: 1234 } });
    const f = readModelsFile(h, { CLAWKEEPER_MODEL_BASE_URL: 'http://127.0.0.1:9/v1/', CLAWKEEPER_MODEL_NAME: 'env-model' });
    assert.deepEqual(f.models.default, { baseURL: 'http://127.0.0.1:9/v1', model: 'env-model', timeoutMs: 1234 });
    const none = readModelsFile(home(), { CLAWKEEPER_MODEL_BASE_URL: 'http://127.0.0.1:9/v1', CLAWKEEPER_MODEL_NAME: 'x' });
    assert.equal(none.models.default!.model, 'x', 'the environment alone defines a default model');
  });

  it('reads a model\'s streamIdleMs (the idle bound of a stream) and refuses one that is not a positive number', () => {
    const h = home();
    writeModels(h, {
      default: { baseURL: 'http://127.0.0.1:1/v1', model: 'm', streamIdleMs: 2500 },
      bad: { baseURL: 'http://127.0.0.1:1/v1', model: 'm', streamIdleMs: 0 },
    });
    const f = readModelsFile(h, {});
    assert.equal(f.models.default!.streamIdleMs, 2500);
    assert.equal(f.models.bad, undefined);
    assert.match(f.problems.join('\n'), /models\.bad\.streamIdleMs: a positive number of milliseconds/);
  });

  it('refuses an API key written into config.json and a key file others can read', () => {
    const h = home();
    writeModels(h, { default: { baseURL: 'http://127.0.0.1:1/v1', model: 'm', apiKey: 'sk-nope' } });
    const f = readModelsFile(h, { CLAWKEEPER_MODEL_BASE_URL: 'http://user:sk-secret@127.0.0.1:9/v1' });
    assert.equal(f.models.default, undefined);
    assert.match(f.problems.join('\n'), /baseURL: give the server's http\(s\) URL without credentials/);
    assert.match(f.problems.join('\n'), /models\.default\.apiKey: keys are never read from config\.json/);
    const keyFile = join(h, 'model.key');
    writeFileSync(keyFile, 'sk-file\n');
    chmodSync(keyFile, 0o644);
    const cfg = { baseURL: 'http://x/v1', model: 'm', apiKeyFile: 'model.key', timeoutMs: 1 };
    assert.throws(() => resolveApiKey(cfg, {}, h), /readable by others \(mode 644\): chmod 600 it/);
    chmodSync(keyFile, 0o600);
    assert.equal(resolveApiKey(cfg, {}, h), 'sk-file');
    assert.equal(resolveApiKey({ ...cfg, apiKeyEnv: 'K' }, { K: 'sk-env' }, h), 'sk-env');
  });

  it('makes a required model a dependency model:<name> probed at {baseURL}/models, an optional one none', () => {
    const models = { default: { baseURL: 'http://127.0.0.1:11434/v1', model: 'llama', timeoutMs: 1 } };
    assert.deepEqual(modelDependencies({ model: { name: 'default', optional: false } }, models), [{
      name: 'model:default', probe: 'http://127.0.0.1:11434/v1/models',
    }]);
    assert.deepEqual(modelDependencies({ model: { name: 'default', optional: true } }, models), []);
    assert.deepEqual(modelDependencies({}, models), []);
  });

  it('turns a model on for a skill from config.json skills.<name> without editing its files', () => {
    const h = home();
    writeModels(h, { default: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' } }, {
      skills: { plain: { model: { name: 'default', optional: true }, budget: { tokensPerDay: 5000 } } },
    });
    writeSkill(h, 'plain', { schedule: '* * * * *', command: ['true'] });
    const [s] = discoverSkills(null, join(h, 'skills'));
    assert.deepEqual(s!.manifest!.model, { name: 'default', optional: true });
    assert.deepEqual(s!.manifest!.budget, { tokensPerDay: 5000 });
  });
});
