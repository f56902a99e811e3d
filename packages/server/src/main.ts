#!/usr/bin/env node
import { runAdminCli } from './admin-cli.js';

await runAdminCli(process.argv.slice(2));
