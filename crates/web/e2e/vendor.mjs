// Copies the client's third-party ES modules from node_modules (pinned in
// package.json / package-lock.json) into ../assets/web/vendor, as the binary embeds
// them: the hooks' bare `from "preact"` becomes a relative import (a browser needs
// no import map, which the CSP would refuse inline), source-map comments go (the
// maps are not shipped), each package's LICENSE goes beside its module.
//
// `node vendor.mjs` writes the files; `node vendor.mjs --check` fails when the
// committed files differ from what it would write (CI).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const vendor = new URL('../assets/web/vendor/', import.meta.url).pathname;
const check = process.argv.includes('--check');

const stripMap = (text) => text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
const packageDir = (name) => new URL(`node_modules/${name}/`, import.meta.url).pathname;

const files = [
  ['preact.js', stripMap(readFileSync(join(packageDir('preact'), 'dist/preact.module.js'), 'utf8'))],
  ['hooks.js', stripMap(readFileSync(join(packageDir('preact'), 'hooks/dist/hooks.module.js'), 'utf8')).replace('from"preact"', 'from"./preact.js"')],
  ['htm.js', stripMap(readFileSync(join(packageDir('htm'), 'dist/htm.module.js'), 'utf8'))],
  ['LICENSE-preact.txt', readFileSync(join(packageDir('preact'), 'LICENSE'), 'utf8')],
  ['LICENSE-htm.txt', readFileSync(join(packageDir('htm'), 'LICENSE'), 'utf8')],
];

const stale = [];
for (const [name, content] of files) {
  const path = join(vendor, name);
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(name);
  } else {
    writeFileSync(path, content);
  }
}
assertNoBareImports();
if (stale.length) {
  console.error(`stale vendored modules: ${stale.join(', ')}; run \`node vendor.mjs\` in crates/web/e2e`);
  process.exit(1);
}
console.log(check ? 'vendored modules match package-lock.json' : `wrote ${files.length} files to ${vendor}`);

/** The vendored modules import nothing by bare name (a browser could not resolve it). */
function assertNoBareImports() {
  for (const [name, content] of files) {
    if (name.endsWith('.js') && /from\s*"(?![./])/.test(content)) {
      console.error(`${name} imports a bare module name`);
      process.exit(1);
    }
  }
  return true;
}
