// Loads electron-builder.yml with electron-builder's own loader and schema validator, in a process of its own
// (electron-builder logs to stdout, which must not mix with the test runner's channel). Prints the config as
// JSON on the last line; exits 1 with the validator's message when it is refused.
// Usage: node scripts/validate-builder-config.cjs [JSON patch merged over the config]
'use strict';
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util/out/DebugLogger');

(async () => {
  const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
  const patched = { ...config, ...(process.argv[2] ? JSON.parse(process.argv[2]) : {}) };
  await validateConfiguration(patched, new DebugLogger(false));
  process.stdout.write('\n' + JSON.stringify(patched) + '\n');
})().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e) + '\n');
  process.exit(1);
});
