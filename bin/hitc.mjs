#!/usr/bin/env node
// Runs hitc straight from its TypeScript sources through tsx: no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Whatever a task left open (a stray timer, a forgotten stream) must not keep hitc alive.
setTimeout(() => process.exit(code), 1000).unref();
