/** Support bundles: one .tar.gz with a level-4 run, the machine and the Python installation, secrets redacted. */
export {
  createBundle,
  bundleOutProblem,
  previewBundle,
  plannedFiles,
  debugRunSettings,
  defaultBundleName,
  remoteInherited,
  type CreateBundleOptions,
  type Inherited,
  type TargetSession,
  type BundleResult,
  type BundleStage,
  type FromRun,
  type SavedRunResult,
} from './bundle';
export {
  Redactor,
  REDACTED,
  SECRET_NAME_WORDS,
  MIN_LITERAL_LENGTH,
  PatternError,
  parsePatterns,
} from './redact';
export { BundleArchive, type Manifest, type ManifestEntry } from './archive';
export {
  collectSystem,
  toolOutput,
  runTool,
  which,
  SYSTEM_FILES,
  type BundleFile,
  type CollectOptions,
} from './collect-system';
export { collectPython, isPythonWorkload, PYTHON_FILES } from './collect-python';
export { effectiveEnv, formatEnvTxt, isRelevantName } from './env';
export { buildReadme, buildNote } from './readme';
export {
  fromRunInfo,
  readSavedRun,
  savedDebugMode,
  SavedRunError,
  type SavedRun,
  type SavedRunFiles,
} from './fromrun';
