#!/usr/bin/env node
// hitc's entry point. Runs the compiled cache of src/ when it can (fast start-up), else the
// TypeScript sources through tsx. Either way there is no build step to run by hand.
import { compiledEntries } from './compiled.mjs';

const compiled = await compiledEntries();
let mod;
if (compiled) {
  mod = await import(compiled.main);
  mod.setHitcApiUrl(compiled.index);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
// Whatever a task left open (a stray timer, a forgotten stream) must not keep hitc alive.
setTimeout(() => process.exit(code), 1000).unref();
