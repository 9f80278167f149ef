import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ImageType, imageTypes } from './images.ts';

/**
 * Where uploads live: `<DATA_DIR>/uploads`, or a per-process temporary folder when the data
 * directory is `:memory:` (tests, throw-away demos) — there is no disk to keep them on then.
 */
export function uploadsDir(dataDir: string): string {
  return dataDir === ':memory:'
    ? path.join(os.tmpdir(), `civictwin-uploads-${process.pid}`)
    : path.join(dataDir, 'uploads');
}

/** A stored upload: content-addressed by the SHA-256 of its bytes. */
export type StoredUpload = { sha256: string; contentType: ImageType; bytes: number; created: boolean };

/**
 * Writes the bytes to `<dir>/<sha256>.<ext>` unless that file exists already (same bytes, same
 * file). Written to a temporary name and renamed, so a reader never sees half a file.
 */
export async function storeUpload(dir: string, bytes: Buffer, contentType: ImageType): Promise<StoredUpload> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = path.join(dir, `${sha256}.${imageTypes[contentType]}`);
  await fs.mkdir(dir, { recursive: true });
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const temp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, file);
  }
  return { sha256, contentType, bytes: bytes.length, created: !exists };
}

/** The stored file of an upload and its type, or undefined when there is none. */
export async function findUpload(
  dir: string,
  sha256: string,
): Promise<{ file: string; contentType: ImageType } | undefined> {
  for (const [contentType, ext] of Object.entries(imageTypes) as [ImageType, string][]) {
    const file = path.join(dir, `${sha256}.${ext}`);
    if (
      await fs.stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return { file, contentType };
  }
  return undefined;
}
