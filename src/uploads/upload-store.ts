import { randomUUID } from 'node:crypto';
import { constants, type ReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The uploaded-file store: CPO logos and location photos, as files in one directory
 * (`config.uploads.dir`, env UPLOAD_DIR, default `$DATA_DIR/uploads`).
 *
 * - Only images are kept, recognised by their first bytes, never by the client's name or Content-Type:
 *   PNG, JPEG, WebP and GIF. Anything else (SVG included: it is a document that can carry script) is
 *   refused with 400, as is an empty file or one larger than `maxBytes` (env UPLOAD_MAX_BYTES).
 * - Every stored file gets a generated name `<kind>-<32 hex>.<ext>` (kind `logo` or `photo`, ext from the
 *   detected type). The client's file name is never used as a path. The kind in the name is how the logo
 *   PATCH knows a file "was uploaded as a logo".
 * - A name is never reused, so a served file never changes: it may be cached for good (`immutable`).
 * - Only names of that exact shape are ever opened; anything else (`../etc/passwd`, dot files, the
 *   `.part` files of copies in progress) is "not found".
 *
 * Files and rows are not in one transaction: services store files first, insert rows, and remove the
 * files again when the transaction fails; replaced files are removed after the commit.
 */
export type UploadKind = 'logo' | 'photo';

export type ImageExtension = 'png' | 'jpg' | 'webp' | 'gif';

export interface ImageType {
  contentType: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  extension: ImageExtension;
}

/** A file received from a client, still in its temporary place (see http/multipart.ts). */
export interface IncomingFile {
  path: string;
  /** The client's name for it, for messages only. */
  originalName: string;
}

export interface StoredFile {
  fileName: string;
  contentType: ImageType['contentType'];
  sizeBytes: number;
}

export interface ServedFile {
  stream: ReadStream;
  size: number;
  modifiedAt: Date;
  contentType: ImageType['contentType'];
}

export interface UploadStore {
  readonly maxBytes: number;
  /**
   * Checks every file (type and size) before copying any, then copies them under generated names.
   * All or nothing: when one copy fails, the ones already made are removed.
   */
  save(kind: UploadKind, files: readonly IncomingFile[]): Promise<StoredFile[]>;
  /** Best effort: a missing file is fine; other failures are logged, never thrown (the caller has committed). */
  remove(fileNames: readonly string[]): Promise<void>;
  /** Whether `fileName` is a stored file of that kind. */
  exists(fileName: string, kind: UploadKind): Promise<boolean>;
  /** An open stream of a stored file, or undefined for any name the store did not generate or no longer has. */
  open(fileName: string): Promise<ServedFile | undefined>;
}

const CONTENT_TYPES: Record<ImageExtension, ImageType['contentType']> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

const STORED_NAME = /^(logo|photo)-[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image type of a file from its first 12 bytes, or undefined when it is none of the four accepted. */
export function detectImageType(head: Uint8Array): ImageType | undefined {
  const type = (extension: ImageExtension): ImageType => ({ extension, contentType: CONTENT_TYPES[extension] });
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return type('png');
  if (startsWith(head, [0xff, 0xd8, 0xff])) return type('jpg');
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return type('webp');
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return type('gif');
  return undefined;
}

/** Kind and content type of a name the store generated; undefined for any other string. */
export function parseStoredName(name: string): { kind: UploadKind; contentType: ImageType['contentType'] } | undefined {
  const match = STORED_NAME.exec(name);
  if (!match) return undefined;
  return { kind: match[1] as UploadKind, contentType: CONTENT_TYPES[match[2] as ImageExtension] };
}

/** How a client-supplied file name appears in messages: quoted, bounded, without control characters. */
function describe(file: IncomingFile): string {
  const name = file.originalName.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 80);
  return name ? `file "${name}"` : 'the file';
}

export function createUploadStore(options: { dir: string; maxBytes: number; log: Logger }): UploadStore {
  const dir = path.resolve(options.dir);
  const { maxBytes } = options;
  const log = options.log.child({ component: 'upload-store' });

  async function inspect(file: IncomingFile): Promise<{ type: ImageType; size: number }> {
    const handle = await open(file.path, 'r');
    try {
      const { size } = await handle.stat();
      if (size === 0) throw new AppError('VALIDATION_FAILED', `${describe(file)} is empty`);
      if (size > maxBytes) {
        throw new AppError('VALIDATION_FAILED', `${describe(file)} is larger than ${maxBytes} bytes`, { status: 413 });
      }
      const head = Buffer.alloc(12);
      await handle.read(head, 0, head.length, 0);
      const type = detectImageType(head);
      if (!type) throw new AppError('VALIDATION_FAILED', `${describe(file)} is not a PNG, JPEG, WebP or GIF image`);
      return { type, size };
    } finally {
      await handle.close();
    }
  }

  const remove: UploadStore['remove'] = async (fileNames) => {
    for (const fileName of fileNames) {
      if (!parseStoredName(fileName)) continue;
      try {
        await rm(path.join(dir, fileName), { force: true });
      } catch (err) {
        log.warn({ err, fileName }, 'could not remove an uploaded file');
      }
    }
  };

  return {
    maxBytes,

    async save(kind, files) {
      const checked = [];
      for (const file of files) checked.push({ file, ...(await inspect(file)) });
      await mkdir(dir, { recursive: true });
      const stored: StoredFile[] = [];
      try {
        for (const { file, type, size } of checked) {
          const fileName = `${kind}-${randomUUID().replaceAll('-', '')}.${type.extension}`;
          // Copied under a name that is never served, then renamed: a stored name is always a whole file.
          const partial = path.join(dir, `.${fileName}.part`);
          try {
            await copyFile(file.path, partial, constants.COPYFILE_EXCL);
            await rename(partial, path.join(dir, fileName));
          } catch (err) {
            await rm(partial, { force: true });
            throw err;
          }
          stored.push({ fileName, contentType: type.contentType, sizeBytes: size });
        }
      } catch (err) {
        await remove(stored.map((s) => s.fileName));
        throw err;
      }
      return stored;
    },

    remove,

    async exists(fileName, kind) {
      if (parseStoredName(fileName)?.kind !== kind) return false;
      try {
        return (await stat(path.join(dir, fileName))).isFile();
      } catch {
        return false;
      }
    },

    async open(fileName) {
      const parsed = parseStoredName(fileName);
      if (!parsed) return undefined;
      const full = path.join(dir, fileName);
      if (path.dirname(full) !== dir) return undefined; // cannot happen with STORED_NAME; kept as the last word
      let handle;
      try {
        // O_NOFOLLOW: a symlink planted in the directory is not followed out of it.
        handle = await open(full, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      } catch {
        return undefined;
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return undefined;
        }
        // The stream owns the handle from here and closes it when it ends or is destroyed.
        return { stream: handle.createReadStream(), size: info.size, modifiedAt: info.mtime, contentType: parsed.contentType };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },
  };
}
