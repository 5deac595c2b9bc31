/**
 * What each Electron menu command (app/shell/menu.ts) means in the page, as data: the area it shows, the theme
 * it sets, or the file action it starts. Pure, so it is unit-tested without Electron.
 */
import type { MenuCommand, MenuTheme } from '../../../app/shared/contract';
import type { AreaId } from '../workspace/areas';

export type FileAction = 'open-log' | 'import-topology' | 'export-profiles';

export type MenuIntent =
  | { kind: 'area'; area: AreaId }
  | { kind: 'theme'; theme: MenuTheme }
  | { kind: 'file'; action: FileAction; area: AreaId }
  | { kind: 'help' }
  /** Handled by the main process (the native About panel); nothing to do here. */
  | { kind: 'none' };

/** Where each file action's result is shown. */
const FILE_AREAS: Record<FileAction, AreaId> = {
  'open-log': 'run',
  'import-topology': 'pick',
  'export-profiles': 'pick',
};

export function intentOf(command: MenuCommand): MenuIntent {
  if (command.startsWith('area:')) return { kind: 'area', area: command.slice(5) as AreaId };
  if (command.startsWith('theme:')) return { kind: 'theme', theme: command.slice(6) as MenuTheme };
  if (command === 'open-log' || command === 'import-topology' || command === 'export-profiles')
    return { kind: 'file', action: command, area: FILE_AREAS[command] };
  if (command === 'help') return { kind: 'help' };
  return { kind: 'none' };
}

/**
 * The `schemaVersion` of an `aio-tuner-profiles` file (app/util/records.ts, kind 'profile-bundle', which the
 * renderer cannot import; test/unit/shell-renderer.test.ts holds the two equal).
 */
export const PROFILES_BUNDLE_VERSION = 1;

/**
 * One JSON file of every profile, in the `aio-tuner-profiles` bundle shape `profiles.import` and `aio-tuner
 * profiles import` read back. `exports` are the `profiles.export` replies (each `{name, settings}` JSON).
 */
export function profilesBundle(exports: string[], now: Date): string {
  const profiles = exports.map((json) => {
    const { name, settings } = JSON.parse(json) as { name: string; settings: unknown };
    return { name, settings };
  });
  return (
    JSON.stringify(
      {
        schemaVersion: PROFILES_BUNDLE_VERSION,
        format: 'aio-tuner-profiles',
        version: 1,
        exportedAt: now.toISOString(),
        profiles,
      },
      null,
      2,
    ) + '\n'
  );
}
