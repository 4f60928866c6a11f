/** Layouts: process groups as data, their checker, the built-in four and the command-line grammar. */
export * from './layout-types.js';
export * from './check-layout.js';
export * from './named-layouts.js';
export * from './parse-layout.js';
