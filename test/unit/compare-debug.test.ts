// Compare's debug-mode row: an unset AIO_DEBUG_MODE is the engine's default level, shown as such, never "—".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsDiff } from '../../app/history/compare';
import { defaultSettings } from '../../app/shared/command';

const row = (a: number | null, b: number | null) =>
  settingsDiff({ ...defaultSettings(), debugMode: a }, { ...defaultSettings(), debugMode: b }, {}, {}).find(
    (r) => r.field === 'debug mode',
  )!;

test('an unset debug level reads as the engine default, not as a missing value', () => {
  assert.deepEqual(row(null, 2), {
    field: 'debug mode',
    a: 'not set (engine default 2)',
    b: '2',
    same: false,
  });
  assert.equal(row(null, null).same, true);
  assert.equal(row(4, 4).a, '4');
});
