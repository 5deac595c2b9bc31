#!/usr/bin/env node
// Entry for `npx aio-tuner` from the checkout (built by `npm install` through the prepare script).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.mjs');
if (!fs.existsSync(cli)) {
  process.stderr.write(
    'aio-tuner: not built yet; run `npm install` (or `npm run build`) in the checkout first\n',
  );
  process.exit(2);
}
import(require('node:url').pathToFileURL(cli).href).catch((e) => {
  process.stderr.write(`aio-tuner: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
