#!/usr/bin/env node
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Set, never forced: pending output is flushed and a server command's listeners keep running.
if (code !== undefined) process.exitCode = code;
