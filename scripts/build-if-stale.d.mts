// Types for the TypeScript test helpers that import scripts/build-if-stale.mjs.
export declare const OUTPUTS: string[];
export declare function staleBecause(root?: string): string | null;
export declare function buildIfStale(root?: string): boolean;
