// The workspace's shortcut table and topology-source label: plain functions the key handler, the help overlay
// and the header are made from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AREAS } from '../../renderer/src/workspace/areas';
import { SHORTCUTS, shortcutFor } from '../../renderer/src/workspace/shortcuts';
import { topologySource } from '../../renderer/src/workspace/topologySource';

const key = (
  k: string,
  mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

test('every area has its key, outside text fields only; Ctrl/Cmd+Enter and Ctrl+. work in fields too', () => {
  for (const a of AREAS) {
    assert.deepEqual(shortcutFor(key(a.key), false)?.action, { kind: 'area', area: a.id });
    assert.equal(shortcutFor(key(a.key), true), null, `${a.key} types into a field`);
    // Ctrl/Alt+digit belong to the browser (tabs).
    assert.equal(shortcutFor(key(a.key, { ctrlKey: true }), false), null);
    assert.equal(shortcutFor(key(a.key, { altKey: true }), false), null);
  }
  for (const inField of [false, true]) {
    assert.deepEqual(shortcutFor(key('Enter', { ctrlKey: true }), inField)?.action, { kind: 'start' });
    assert.deepEqual(shortcutFor(key('Enter', { metaKey: true }), inField)?.action, { kind: 'start' });
    assert.deepEqual(shortcutFor(key('.', { ctrlKey: true }), inField)?.action, { kind: 'stop' });
  }
  assert.equal(shortcutFor(key('Enter'), false), null, 'plain Enter presses the focused button');
  assert.equal(shortcutFor(key('Escape'), false), null, 'Escape is left to dialogs');
  assert.deepEqual(shortcutFor(key('?', { shiftKey: true }), false)?.action, { kind: 'help' });
  assert.equal(shortcutFor(key('?', { shiftKey: true }), true), null);
});

test('the table names each key once', () => {
  const keys = SHORTCUTS.map((s) => s.keys);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(SHORTCUTS.length, AREAS.length + 3);
});

test('topology source: this host, the sysroot the engine started on, or an import', () => {
  assert.equal(topologySource({ source: 'sysfs', origin: 'this host' }, 'this host').kind, 'host');
  assert.equal(topologySource({ source: 'sysfs' }, 'this host').kind, 'host');
  assert.deepEqual(topologySource({ source: 'sysfs', origin: '/dumps/altra' }, '/dumps/altra'), {
    kind: 'sysroot',
    text: '/dumps/altra',
  });
  assert.equal(topologySource({ source: 'sysfs', origin: 'altra.tar.gz' }, 'this host').kind, 'imported');
  assert.equal(topologySource({ source: 'lscpu-p', origin: 'lscpu.txt' }, 'this host').kind, 'imported');
  // An lscpu table is never "the sysroot", even if named like it.
  assert.equal(topologySource({ source: 'lscpu', origin: '/dumps/altra' }, '/dumps/altra').kind, 'imported');
});
