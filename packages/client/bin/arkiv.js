#!/usr/bin/env node
// The `arkiv` command. npm links a workspace's `bin` at install time only if its target exists, and
// the CLI is compiled into dist/ later, by `npm run build`: this committed file is the link target,
// and it loads the compiled CLI (or says how to build it).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write('arkiv: the CLI is not built yet (dist/cli/main.js is missing): run `npm run build` first\n');
  process.exitCode = 1;
}
