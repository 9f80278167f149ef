import { ApiError, csrfHeaders } from './client.ts';
import type { Problem } from './types.ts';

/** Image types the API accepts for photos (`POST /api/uploads`, checked there by magic bytes too). */
export const photoTypes: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];

/** The largest photo the API accepts: 5 MiB. */
export const maxPhotoBytes = 5 * 1024 * 1024;

/** What `POST /api/uploads` answers; `id` is the photo reference for a case action. */
export type UploadView = { id: string; url: string; contentType: string; bytes: number };

/** Why a file cannot be a photo, checked before sending it: `type`, `size`, or null when it may be. */
export function photoProblem(file: { type: string; size: number }): 'type' | 'size' | null {
  if (!photoTypes.includes(file.type)) return 'type';
  if (file.size > maxPhotoBytes) return 'size';
  return null;
}

/** Uploads one image as its raw bytes; throws `ApiError` with the API's problem (413, 415…). */
export async function uploadPhoto(file: Blob): Promise<UploadView> {
  const res = await fetch('/api/uploads', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': file.type, ...csrfHeaders() },
    credentials: 'same-origin',
    body: file,
  });
  const data: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, (data as Problem | undefined) ?? null);
  return data as UploadView;
}

/** The URL of an `upload:<sha256>` photo reference, or undefined for other references. */
export function uploadUrl(ref: string): string | undefined {
  const m = /^upload:([0-9a-f]{64})$/.exec(ref);
  return m ? `/api/uploads/${m[1]}` : undefined;
}
