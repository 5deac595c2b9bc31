/** Command engine: selection presets, command building and parsing, checks, quoting and the variable catalogue. */
export * from '../shared/command';
export * from '../shared/quote';
export * from '../shared/presets';
export * from '../shared/variables';
export * from './schema';
export * from './plan';
export * from './memnodes';
export * from './build';
export * from './parse';
export * from './checks';
