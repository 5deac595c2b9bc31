// Which interpreter the example workload is offered with: real interpreters only (the system Python with
// PyTorch, a real venv without it, a missing path). Nothing is mocked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findTorchPython, probeExampleWorkload } from '../../app/api/example';
import { need } from '../helpers/require';
import { SYSTEM_PYTHON, systemHasTorch, venvWithoutTorch } from '../helpers/venv';

let venvBin: string | null = null;
before(() => {
  if (systemHasTorch()) venvBin = venvWithoutTorch();
});
const ready = (t: { skip(msg: string): void }) =>
  need(t, venvBin !== null, `${SYSTEM_PYTHON} with PyTorch (python3-torch) and its venv module`);

test('python3 on PATH without PyTorch is passed over for the system python3 that has it', async (t) => {
  if (!ready(t)) return;
  const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}` };
  const ex = await probeExampleWorkload(undefined, env);
  assert.equal(ex.python, SYSTEM_PYTHON);
  assert.equal(ex.argv[0], SYSTEM_PYTHON);
  assert.match(ex.argv[1]!, /examples\/bench\.py$/);
  assert.match(ex.note, new RegExp(`runs with ${SYSTEM_PYTHON}, which has PyTorch`));
  assert.match(ex.note, new RegExp(`python3 \\(${venvBin}/python3\\): has no PyTorch`));
  // What is offered really imports torch (the probe only looks the package up).
  assert.equal(spawnSync(ex.argv[0]!, ['-c', 'import torch'], { env }).status, 0);
});

test('python3 on PATH that has PyTorch is offered by name', async (t) => {
  if (!ready(t)) return;
  const env = { ...process.env, PATH: `/usr/bin:${process.env.PATH}` };
  const ex = await probeExampleWorkload(undefined, env);
  assert.equal(ex.argv[0], 'python3');
  assert.match(ex.note, /^The example runs with python3 \(\/usr\/bin\/python3(\.\d+)?\), which has PyTorch/);
});

test('no interpreter with PyTorch: plain python3 is offered and the note says why and what to do', async (t) => {
  if (!ready(t)) return;
  const missing = join(venvBin!, 'no-such-python');
  const ex = await probeExampleWorkload([join(venvBin!, 'python3'), missing]);
  assert.equal(ex.python, null);
  assert.equal(ex.argv[0], 'python3');
  assert.match(ex.note, /^No Python with PyTorch was found/);
  assert.match(ex.note, /has no PyTorch/);
  assert.ok(ex.note.includes(`${missing}: not found`), ex.note);
  assert.match(ex.note, /pip install torch/);
});

test('an interpreter reached twice (python3 on PATH is /usr/bin/python3) is tried once', async (t) => {
  if (!ready(t)) return;
  const env = { ...process.env, PATH: `${venvBin}:/usr/bin` };
  const r = await findTorchPython(['python3', join(venvBin!, 'python3'), SYSTEM_PYTHON], env);
  assert.equal(r.passed.length, 1);
  assert.equal(r.found?.command, SYSTEM_PYTHON);
});
