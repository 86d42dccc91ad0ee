#!/usr/bin/env node
// The `otklik` command: TypeScript sources run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../main.ts');
await runCli(process.argv);
