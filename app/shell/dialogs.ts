/**
 * Native file dialogs of the Electron window, as data and plain functions: what each dialog shows, and what
 * the page gets back for the file chosen. app/main.ts only calls Electron's dialog with these options and
 * passes the answer through; browser mode keeps the page's own file fields.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_TOPOLOGY_ARCHIVE_BYTES, type ChosenFile, type OpenFilePurpose } from '../shared/contract';

/** Largest text file "Import topology…" reads (lscpu, numactl or lstopo XML output is far smaller). */
export const MAX_TOPOLOGY_TEXT_BYTES = 16 * 1024 * 1024;

/** Electron's `dialog.showOpenDialog` / `showSaveDialog` options, reduced to the fields used here. */
interface FileFilter {
  name: string;
  extensions: string[];
}
export interface OpenDialogOptions {
  title: string;
  properties: 'openFile'[];
  filters: FileFilter[];
}
export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  filters: FileFilter[];
  properties: ('createDirectory' | 'showOverwriteConfirmation')[];
}

export const OPEN_PURPOSES: readonly OpenFilePurpose[] = ['log', 'topology'];

export function isOpenPurpose(v: unknown): v is OpenFilePurpose {
  return typeof v === 'string' && (OPEN_PURPOSES as readonly string[]).includes(v);
}

export function openDialogOptions(purpose: OpenFilePurpose): OpenDialogOptions {
  const all = { name: 'All files', extensions: ['*'] };
  return purpose === 'log'
    ? {
        title: 'Open log',
        properties: ['openFile'],
        filters: [{ name: 'Logs', extensions: ['log', 'txt', 'out'] }, all],
      }
    : {
        title: 'Import topology',
        properties: ['openFile'],
        filters: [
          {
            name: 'Dumps, bundles, lscpu / numactl / lstopo output',
            extensions: ['gz', 'tgz', 'txt', 'json', 'xml'],
          },
          all,
        ],
      };
}

export function saveDialogOptions(defaultPath: string): SaveDialogOptions {
  return {
    title: 'Export profiles',
    defaultPath,
    filters: [{ name: 'JSON', extensions: ['json'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

const isArchiveName = (name: string) => /\.(?:tar\.gz|tgz)$/i.test(name);
const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/**
 * What the page gets for the file chosen for `purpose`: a log as its path (the engine opens it where it is);
 * a topology file as its text, or as base64 when it is a dump archive or support bundle (.tar.gz, .tgz). Throws
 * an Error that names the file when it cannot be read or is too large to be what it should be.
 */
export async function chosenFile(purpose: OpenFilePurpose, path: string): Promise<ChosenFile> {
  const name = basename(path);
  if (purpose === 'log') return { purpose, path, name };
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const archive = isArchiveName(name);
  const limit = archive ? MAX_TOPOLOGY_ARCHIVE_BYTES : MAX_TOPOLOGY_TEXT_BYTES;
  if (size > limit)
    throw new Error(
      `${name} is ${mib(size)}, larger than ${mib(limit)}: not ${archive ? 'a dump or support bundle' : 'a topology listing'}`,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return archive
    ? { purpose, path, name, kind: 'archive', data: bytes.toString('base64') }
    : { purpose, path, name, kind: 'text', text: bytes.toString('utf8') };
}
