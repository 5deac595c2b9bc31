/** Command engine: selection presets, command building and parsing, checks, quoting and the variable catalogue. */
export * from './types';
export * from './quote';
export * from './presets';
export * from './variables';
export * from './schema';
export * from './plan';
export * from './memnodes';
export * from './build';
export * from './parse';
export * from './checks';
