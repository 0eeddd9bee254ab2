#!/usr/bin/env node
// Thin bin: the CLI is a function in src/cli/main.ts (built to dist/).
import { cli } from '../dist/cli/main.js';

const code = await cli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
