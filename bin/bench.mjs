#!/usr/bin/env node
// `npm run bench [-- <name> ...]`: runs bench/<name>.ts (all of them without a name) through tsx.
import { register } from 'tsx/esm/api';

register();
const { runBenches } = await import('../bench/index.ts');
process.exitCode = await runBenches(process.argv.slice(2));
