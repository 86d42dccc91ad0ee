/** The pages' Russian formats live in lib/format.ts, shared with the workflow's Russian text; kept here for the pages' imports. */
export * from '../lib/format.js';
