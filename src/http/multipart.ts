import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from '../errors.ts';

export interface UploadedFile {
  field: string;
  /** The name the client gave the file (never used as a path). */
  originalName: string;
  /** The Content-Type the client claimed; check the bytes, not this. */
  claimedType: string;
  /** Where the file was streamed to on disk (a private temporary file). */
  path: string;
  size: number;
}

export interface MultipartResult {
  fields: Record<string, string>;
  files: UploadedFile[];
  /** Removes the temporary files (call in finally). */
  cleanup(): Promise<void>;
}

export interface MultipartLimits {
  /** Field names that may carry files; any other file field is refused. */
  fileFields: readonly string[];
  maxFiles: number;
  maxFileBytes: number;
  maxFields?: number;
}

/**
 * Streams a multipart/form-data request to temporary files without holding any file in memory, and
 * enforces the limits while reading: a request over a limit is refused (400/413) and leaves nothing behind.
 */
export async function readMultipart(ctx: Context, limits: MultipartLimits): Promise<MultipartResult> {
  if (!ctx.is('multipart/form-data')) {
    throw new AppError('VALIDATION_FAILED', 'expected a multipart/form-data body');
  }
  const dir = path.join(tmpdir(), `upload-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: ctx.req.headers,
          limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fields: limits.maxFields ?? 20, fieldSize: 64 * 1024 },
        });
      } catch {
        reject(new AppError('VALIDATION_FAILED', 'malformed multipart/form-data body'));
        return;
      }
      const writes: Promise<void>[] = [];
      let failure: AppError | undefined;
      const fail = (err: AppError) => {
        failure ??= err;
      };
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('file', (field, stream, info) => {
        if (!limits.fileFields.includes(field)) {
          fail(new AppError('VALIDATION_FAILED', `unexpected file field ${field}; expected ${limits.fileFields.join(' or ')}`));
          stream.resume();
          return;
        }
        const file: UploadedFile = { field, originalName: info.filename ?? '', claimedType: info.mimeType, path: path.join(dir, String(files.length)), size: 0 };
        files.push(file);
        stream.on('data', (chunk: Buffer) => (file.size += chunk.length));
        stream.on('limit', () => fail(new AppError('VALIDATION_FAILED', `file ${file.originalName || field} is larger than ${limits.maxFileBytes} bytes`, { status: 413 })));
        writes.push(pipeline(stream, createWriteStream(file.path)));
      });
      parser.on('filesLimit', () => fail(new AppError('VALIDATION_FAILED', `at most ${limits.maxFiles} file(s) may be uploaded at once`)));
      parser.on('fieldsLimit', () => fail(new AppError('VALIDATION_FAILED', 'too many form fields')));
      parser.on('error', () => reject(new AppError('VALIDATION_FAILED', 'malformed multipart/form-data body')));
      parser.on('close', () => {
        Promise.all(writes).then(
          () => (failure ? reject(failure) : resolve()),
          (err: unknown) => reject(err),
        );
      });
      ctx.req.pipe(parser);
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { fields, files, cleanup };
}
