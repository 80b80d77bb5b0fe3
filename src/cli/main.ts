#!/usr/bin/env node
// The `skein` command (see program.ts for what it offers).
import { runCli } from './program.js';

await runCli(process.argv.slice(2));
