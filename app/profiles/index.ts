/** Saved run settings (profiles). */
export * from './store';
