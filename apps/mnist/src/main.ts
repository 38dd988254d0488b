#!/usr/bin/env node
/** The `mnist` executable: `pnpm mnist [command] [options]`. */
import { runCli } from './cli.js';

// Run as a package script (`pnpm mnist` at the repository root runs `pnpm --filter @flint/mnist run
// mnist`, whose working directory is apps/mnist), resolve the user's paths (PNGs, --out, --data-dir)
// against the directory the command was typed in, as a plain CLI would.
const initCwd = process.env.INIT_CWD;
if (process.env.npm_lifecycle_event !== undefined && initCwd !== undefined && initCwd !== '') process.chdir(initCwd);

process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
