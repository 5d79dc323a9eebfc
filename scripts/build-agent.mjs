#!/usr/bin/env node
/**
 * Bundles the agent and the `nbprov` CLI into the Python package, so that
 * `pip install jupyterlab-provenance` gives a working agent with no npm:
 *
 *   jupyterlab_provenance/agent/nbprov.mjs         one ESM file: src/agent/cli.ts
 *                                                  and every JS dependency
 *   jupyterlab_provenance/agent/node_modules/      zeromq (kept external: its
 *     zeromq/, cmake-ts/                           native addon is found from
 *                                                  its own folder) and the one
 *                                                  file of cmake-ts its loader
 *                                                  requires at run time
 *
 * zeromq's loader (cmake-ts/build/loader.js) reads `build/manifest.json`,
 * keeps the entries of this os/arch/libc and loads the one of the highest
 * ABI that loads. Only Linux is shipped (the agent runs on the kernel's
 * host, a Linux compute node), and of Linux only the `-127` builds: they need
 * glibc 2.25 (the `-115` and `-72` ones need 2.38, newer than most clusters)
 * and, being Node-API addons, load in every Node from 18 on. The manifest is
 * rewritten to list exactly the files shipped.
 *
 * Usage: node scripts/build-agent.mjs   (npm run build:agent)
 */

import { build } from 'esbuild';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'jupyterlab_provenance', 'agent');
const bundle = join(out, 'nbprov.mjs');
const modules = join(out, 'node_modules');
const require = createRequire(join(root, 'package.json'));

/** Linux addons shipped: os/arch/libc of the agent's hosts, ABI 127 builds. */
const SHIPPED_ADDONS = [
  { arch: 'x64', libc: 'glibc' },
  { arch: 'x64', libc: 'musl' },
  { arch: 'arm64', libc: 'glibc' },
  { arch: 'arm64', libc: 'musl' }
];
const SHIPPED_ABI = 127;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'src', 'agent', 'cli.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  external: ['zeromq'],
  // CommonJS dependencies (systeminformation) call require() for Node's own
  // modules, which an ESM bundle does not have.
  banner: {
    js: "import { createRequire as __nbprovCreateRequire } from 'node:module';\nconst require = __nbprovCreateRequire(import.meta.url);"
  },
  legalComments: 'linked',
  logLevel: 'warning'
});

// zeromq's JavaScript (no types, no source maps) and the manifest of the
// addons shipped.
const zeromqDir = dirname(require.resolve('zeromq/package.json'));
const zeromqOut = join(modules, 'zeromq');
copyTree(join(zeromqDir, 'lib'), join(zeromqOut, 'lib'), name =>
  name.endsWith('.js')
);
for (const file of ['package.json', 'LICENSE.txt', 'LICENSE_MPL-2.0.txt']) {
  copyInto(join(zeromqDir, file), join(zeromqOut, file));
}
const manifest = JSON.parse(
  readFileSync(join(zeromqDir, 'build', 'manifest.json'), 'utf8')
);
const shipped = {};
for (const [key, file] of Object.entries(manifest)) {
  const config = JSON.parse(key);
  const wanted =
    config.os === 'linux' &&
    config.abi === SHIPPED_ABI &&
    SHIPPED_ADDONS.some(a => a.arch === config.arch && a.libc === config.libc);
  if (wanted) {
    copyInto(join(zeromqDir, 'build', file), join(zeromqOut, 'build', file));
    shipped[key] = file;
  }
}
const missing = SHIPPED_ADDONS.filter(
  a =>
    !Object.keys(shipped).some(key => {
      const config = JSON.parse(key);
      return config.arch === a.arch && config.libc === a.libc;
    })
);
if (missing.length > 0) {
  throw new Error(
    `zeromq ${readJson(join(zeromqDir, 'package.json')).version} has no ABI ${SHIPPED_ABI} addon for ${missing
      .map(a => `linux-${a.arch}-${a.libc}`)
      .join(', ')}; update SHIPPED_ABI in scripts/build-agent.mjs.`
  );
}
writeFileSync(
  join(zeromqOut, 'build', 'manifest.json'),
  JSON.stringify(shipped)
);

// zeromq's only run-time dependency that is not a build tool: the loader.
// (Its `exports` map hides its package.json from require.resolve.)
const cmakeTsDir = join(
  dirname(
    createRequire(join(zeromqDir, 'package.json')).resolve(
      'cmake-ts/build/loader'
    )
  ),
  '..'
);
for (const file of ['package.json', 'LICENSE', 'build/loader.js']) {
  copyInto(join(cmakeTsDir, file), join(modules, 'cmake-ts', file), true);
}

const size = totalSize(out);
process.stdout.write(
  `agent bundled: ${relative(root, bundle)} (${kib(statSync(bundle).size)}), ` +
    `${Object.keys(shipped).length} zeromq addons, ${kib(size)} in all\n`
);

function copyInto(from, to, optional = false) {
  try {
    statSync(from);
  } catch (error) {
    if (optional) {
      return;
    }
    throw error;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function copyTree(from, to, keep) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      copyTree(source, join(to, entry.name), keep);
    } else if (keep(entry.name)) {
      copyInto(source, join(to, entry.name));
    }
  }
}

function totalSize(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? totalSize(path) : statSync(path).size);
  }, 0);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
