#!/usr/bin/env node
/** The `mnist` executable: `pnpm mnist [command] [options]`. */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
