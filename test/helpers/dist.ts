/**
 * Imported by every test that runs the built tree (dist/): rebuilds it first when a source changed since the last
 * build, so a test file run on its own (`node --import tsx --test FILE`) never tests stale code. Under
 * scripts/test.mjs the tree is already fresh and this is a few hundred stat calls.
 */
import { buildIfStale } from '../../scripts/build-if-stale.mjs';

buildIfStale();
