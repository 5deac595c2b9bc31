// The variables table shows each catalogued variable's first sentence as its one-line effect and filters on it:
// checked over the real catalogue, so a new description that would read badly on one line fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VARIABLES } from '../../app/shared/variables';
import { firstSentence, matchesFilter, normalizeVariables } from '../../renderer/src/command/variables';

const specs = normalizeVariables(VARIABLES);

test('every variable has a one-line effect: one whole sentence of its description, short enough for a row', () => {
  assert.equal(specs.length, VARIABLES.length);
  for (const v of specs) {
    assert.ok(v.description.startsWith(v.effect), `${v.name}: "${v.effect}" does not open its description`);
    assert.match(v.effect, /[.!?]$/, `${v.name}: "${v.effect}" is not a whole sentence`);
    assert.ok(v.effect.length <= 160, `${v.name}: its effect is ${v.effect.length} characters`);
  }
});

test('a sentence ends at a full stop before the next one, not at dots inside names', () => {
  assert.equal(firstSentence('Only for model.half() runs. Then more.'), 'Only for model.half() runs.');
  assert.equal(firstSentence('Converts ".*" everything. "Quoted" next.'), 'Converts ".*" everything.');
  assert.equal(firstSentence('No full stop at all'), 'No full stop at all');
});

test('the filter needs every word typed, in the name or the effect, any case', () => {
  const names = (q: string) => specs.filter((v) => !v.deprecated && matchesFilter(v, q)).map((v) => v.name);
  assert.deepEqual(names('num_threads'), ['AIO_NUM_THREADS', 'OMP_NUM_THREADS']);
  // Words match anywhere: "num" is in AIO_NUMA_CPUS too, and its effect and AIO_CPU_BIND's speak of threads.
  assert.deepEqual(names('NUM threads'), [
    'AIO_NUM_THREADS',
    'OMP_NUM_THREADS',
    'AIO_NUMA_CPUS',
    'AIO_CPU_BIND',
  ]);
  assert.deepEqual(names('prints'), ['AIO_DEBUG_MODE', 'AIO_PROFILER']);
  assert.deepEqual(names('fp16 filter'), ['AIO_IMPLICIT_FP16_TRANSFORM_FILTER']);
  assert.deepEqual(
    names('  '),
    specs.filter((v) => !v.deprecated).map((v) => v.name),
  );
  assert.deepEqual(names('nothing like this'), []);
});
