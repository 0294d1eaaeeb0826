/**
 * One app's media: a tree of folders and files held in memory. Paths arrive as segments already
 * checked by media-path.ts. Every mutating method validates first and mutates last, so a thrown
 * error leaves the tree as it was.
 */
import { doubleError, type DoubleError } from '../errors';
import type { MediaLimits } from './options';

/**
 * Stored bytes are never written in place: a write swaps in a new node. That makes sharing file
 * nodes between trees (see clone) safe, and a concurrent reader sees either the old or the new file.
 */
interface MediaFile {
  readonly kind: 'file';
  readonly bytes: Buffer;
}

interface MediaFolder {
  readonly kind: 'folder';
  readonly children: Map<string, MediaNode>;
}

type MediaNode = MediaFile | MediaFolder;

/** What the list operation's `show` option selects (see GET /v1/apps/{appId}/media/list/{path}). */
export type MediaListMode = 'folder' | 'recursive' | 'all';

/** `r`/`recursive` and `a`/`all` as documented; anything else, absent included, is the default. */
export function mediaListMode(show: string | undefined): MediaListMode {
  switch (show) {
    case 'r':
    case 'recursive':
      return 'recursive';
    case 'a':
    case 'all':
      return 'all';
    default:
      return 'folder';
  }
}

/** A file, or a folder with nothing in it (printed with a trailing "/"). */
export type MediaLeaf = { kind: 'file'; path: string; bytes: Buffer } | { kind: 'emptyFolder'; path: string };

const PATH_PARAMETER = { parameter: 'path' } as const;

function conflict(detail: string): DoubleError {
  return doubleError('invalidMediaPath', { detail, source: PATH_PARAMETER });
}

function notFound(detail: string): DoubleError {
  return doubleError('mediaNotFound', { detail, source: PATH_PARAMETER });
}

function newFolder(): MediaFolder {
  return { kind: 'folder', children: new Map() };
}

function shown(segments: readonly string[]): string {
  return JSON.stringify(segments.join('/'));
}

function cloneFolder(folder: MediaFolder): MediaFolder {
  const copy = newFolder();
  for (const [name, node] of folder.children) copy.children.set(name, node.kind === 'file' ? node : cloneFolder(node));
  return copy;
}

function countFiles(node: MediaNode): number {
  if (node.kind === 'file') return 1;
  let count = 0;
  for (const child of node.children.values()) count += countFiles(child);
  return count;
}

/** Files and empty folders under `folder`, paths prefixed with `prefix`; into subfolders only when recursive. */
function* collectLeaves(folder: MediaFolder, prefix: string, recursive: boolean): Generator<MediaLeaf> {
  for (const [name, node] of folder.children) {
    const path = prefix + name;
    if (node.kind === 'file') yield { kind: 'file', path, bytes: node.bytes };
    else if (node.children.size === 0) yield { kind: 'emptyFolder', path: `${path}/` };
    else if (recursive) yield* collectLeaves(node, `${path}/`, true);
  }
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export class MediaTree {
  private root: MediaFolder = newFolder();
  private files = 0;

  get fileCount(): number {
    return this.files;
  }

  /** An independent tree: later writes to either never show in the other. */
  clone(): MediaTree {
    const copy = new MediaTree();
    copy.root = cloneFolder(this.root);
    copy.files = this.files;
    return copy;
  }

  /**
   * Stores `bytes` at `segments`, creating missing folders; replaces an existing file. The tree
   * takes the buffer over (no copy: media files are megabytes): the caller must not write to it later.
   */
  writeFile(segments: readonly string[], bytes: Buffer, limits: Pick<MediaLimits, 'maxMediaFileBytes' | 'maxMediaFilesPerApp'>): void {
    const name = segments[segments.length - 1];
    if (name === undefined) throw conflict('A media file needs a path; the media root is a folder.');
    if (bytes.length > limits.maxMediaFileBytes) {
      throw doubleError('mediaLimit', {
        detail: `The media file ${shown(segments)} has ${bytes.length} bytes; the limit is ${limits.maxMediaFileBytes}.`,
        source: PATH_PARAMETER,
        meta: { limit: 'maxMediaFileBytes', value: limits.maxMediaFileBytes },
      });
    }
    const folders = segments.slice(0, -1);
    const { folder: deepest, depth } = this.deepestFolder(folders);
    const existing = depth === folders.length ? deepest.children.get(name) : undefined;
    if (existing?.kind === 'folder') throw conflict(`The media path ${shown(segments)} is a folder, so a file cannot be stored there.`);
    const adds = existing === undefined;
    if (adds && this.files + 1 > limits.maxMediaFilesPerApp) {
      throw doubleError('mediaLimit', {
        detail: `The app already holds ${this.files} media files; the limit is ${limits.maxMediaFilesPerApp}.`,
        source: PATH_PARAMETER,
        meta: { limit: 'maxMediaFilesPerApp', value: limits.maxMediaFilesPerApp },
      });
    }
    let parent = deepest;
    for (const folderName of folders.slice(depth)) {
      const created = newFolder();
      parent.children.set(folderName, created);
      parent = created;
    }
    // One assignment swaps the whole file in, so concurrent writers leave one whole file.
    parent.children.set(name, { kind: 'file', bytes });
    if (adds) this.files += 1;
  }

  /** Makes sure a folder exists at `segments` (scenarios list empty folders this way). */
  makeFolder(segments: readonly string[]): void {
    const { folder: deepest, depth } = this.deepestFolder(segments);
    let parent = deepest;
    for (const folderName of segments.slice(depth)) {
      const created = newFolder();
      parent.children.set(folderName, created);
      parent = created;
    }
  }

  /**
   * The stored bytes themselves, not a copy (stored buffers are never written in place, only
   * replaced); callers must not write to them. 404 for a missing path or a folder.
   */
  readFile(segments: readonly string[]): Buffer {
    const node = this.find(segments);
    if (node === undefined) throw notFound(`No media file has the path ${shown(segments)}.`);
    if (node.kind === 'folder') throw notFound(`The media path ${shown(segments)} is a folder, not a file.`);
    return node.bytes;
  }

  /** Removes a file or a whole folder. Its parent folders stay, empty or not, as on a filesystem. */
  remove(segments: readonly string[]): void {
    const name = segments[segments.length - 1];
    if (name === undefined) throw conflict('The media root cannot be deleted.');
    const parent = this.find(segments.slice(0, -1));
    const node = parent?.kind === 'folder' ? parent.children.get(name) : undefined;
    if (parent?.kind !== 'folder' || node === undefined) throw notFound(`No media file or folder has the path ${shown(segments)}.`);
    const removed = countFiles(node);
    parent.children.delete(name);
    this.files -= removed;
  }

  /** Paths relative to the media root, sorted; see MediaListMode. 404 for a missing path or a file. */
  list(segments: readonly string[], mode: MediaListMode): string[] {
    const node = this.find(segments);
    if (node === undefined) throw notFound(`No media folder has the path ${shown(segments)}.`);
    if (node.kind === 'file') throw notFound(`The media path ${shown(segments)} is a file, not a folder.`);
    const prefix = segments.length === 0 ? '' : `${segments.join('/')}/`;
    const found = [...collectLeaves(node, prefix, mode !== 'folder')];
    return (mode === 'recursive' ? found.filter((leaf) => leaf.kind === 'file') : found).map((leaf) => leaf.path).sort();
  }

  /**
   * Every file and empty folder, sorted by path: what a scenario stores. The buffers are the
   * stored ones, for reading only (this tree never leaves src/state).
   */
  leaves(): MediaLeaf[] {
    return [...collectLeaves(this.root, '', true)].sort(byPath);
  }

  private find(segments: readonly string[]): MediaNode | undefined {
    let node: MediaNode = this.root;
    for (const name of segments) {
      if (node.kind === 'file') return undefined;
      const child: MediaNode | undefined = node.children.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** The deepest existing folder along `segments` and how many segments it covers; refuses a file in the way. */
  private deepestFolder(segments: readonly string[]): { folder: MediaFolder; depth: number } {
    let folder = this.root;
    for (const [index, name] of segments.entries()) {
      const child = folder.children.get(name);
      if (child === undefined) return { folder, depth: index };
      if (child.kind === 'file') {
        throw conflict(`The media path ${shown(segments.slice(0, index + 1))} is a file, so it cannot hold other files or folders.`);
      }
      folder = child;
    }
    return { folder, depth: segments.length };
  }
}
