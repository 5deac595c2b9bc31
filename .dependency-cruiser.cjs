/**
 * The map of AIO Tuner's architecture, checked by `npm run lint` (dependency-cruiser). README "Architecture"
 * describes the same layers in words; change both together.
 *
 * `LAYERS` lists app/'s layers from the bottom up. A module may import its own folder and any layer below its
 * own, never a layer above it nor a sibling in its own layer: siblings that need each other belong in different
 * layers, or talk through a port (an interface the lower one defines and the upper one implements, as remote/
 * does for run/, sweep/ and bundle/). Type-only imports count like any other (tsPreCompilationDeps), because a
 * type cycle is still two modules that cannot be understood apart.
 */

/** Bottom up. Each entry: a layer name and the path patterns (regex on the path from the repo root) in it. */
const LAYERS = [
  // Pure code both Node and the browser run: contract types, level names, CPU-list and quoting helpers.
  ['shared', ['^app/shared/']],
  ['util', ['^app/util/', '^app/version[.]ts$']],
  ['facts', ['^app/topology/', '^app/system/', '^app/logs/']],
  // The op-coverage report (issue 17): a TorchScript model's ops against the engine's op table.
  ['ops', ['^app/ops/']],
  ['command', ['^app/command/']],
  // The host doctor judges the machine for a run's settings; runs, sweeps and bundles call it, remote/ implements its
  // port (DoctorRemote) for targets.
  ['doctor', ['^app/doctor/']],
  ['run', ['^app/run/', '^app/profiles/']],
  ['records', ['^app/sweep/', '^app/bundle/']],
  // remote/ implements the ports run/, sweep/ and bundle/ define (RemoteLaunch, SweepRemote, BundleRemote);
  // history/ is the read-only view over run/ and sweep/ records.
  ['adapters', ['^app/remote/', '^app/history/']],
  ['api', ['^app/api/']],
  ['fronts', ['^app/server/', '^app/shell/']],
  ['entry', ['^app/cli/', '^app/main[.]ts$', '^app/preload[.]ts$']],
];

const layerRules = LAYERS.flatMap(([name, paths], i) => {
  const above = LAYERS.slice(i + 1).flatMap(([, p]) => p);
  const rules = [];
  if (above.length)
    rules.push({
      name: `layer-${name}`,
      comment: `${name} (${paths.join(', ')}) may not import a higher layer`,
      severity: 'error',
      from: { path: paths },
      to: { path: above },
    });
  // Siblings within one layer stay apart: each path pattern may not import the layer's other patterns.
  if (paths.length > 1)
    for (const p of paths)
      rules.push({
        name: `layer-${name}-siblings`,
        comment: `${p} may not import the other parts of layer ${name}`,
        severity: 'error',
        from: { path: p },
        to: { path: paths.filter((q) => q !== p) },
      });
  return rules;
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'app-in-a-layer',
      comment:
        'Every module under app/ belongs to a layer: a new folder gets its place in LAYERS (and the README).',
      severity: 'error',
      from: { path: '^app/', pathNot: LAYERS.flatMap(([, p]) => p) },
      to: {},
    },
    {
      name: 'renderer-only-shared',
      comment: 'The renderer runs in the browser: from app/ it may import app/shared/ only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^app/', pathNot: '^app/shared/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'The renderer runs in the browser: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-is-pure',
      // Nor the DOM's globals: `npm run typecheck` checks app/shared/ without them (app/shared/tsconfig.json).
      comment:
        'app/shared/ runs in Node and in the browser alike: no Node built-ins and no packages (zod stays engine-side).',
      severity: 'error',
      from: { path: '^app/shared/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
      },
    },
    {
      name: 'electron-in-the-shell-only',
      comment:
        'Only the Electron shell (main, preload, app/shell/) may import electron; the rest runs in plain Node.',
      severity: 'error',
      from: { path: '^(app|renderer)/', pathNot: '^app/(main|preload)[.]ts$|^app/shell/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|release|docs|node_modules)/|^test/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
