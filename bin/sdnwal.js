#!/usr/bin/env node
// Thin bin: the CLI is a function in src/cli/main.ts, built to dist/ and bundled into dist/bundle/
// (scripts/bundle-cli.mjs: a few files load faster than dozens).
import { cli } from '../dist/bundle/cli.js';

const code = await cli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
