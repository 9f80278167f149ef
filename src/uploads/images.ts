/** Image types a photo may have, with the file extension they are stored under. */
export const imageTypes = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
} as const;

/** A MIME type civictwin accepts for photos. */
export type ImageType = keyof typeof imageTypes;

/** The largest photo accepted, in bytes (5 MiB): a phone photo, not a video. */
export const maxImageBytes = 5 * 1024 * 1024;

/**
 * The image type the bytes really are, by their magic numbers — a declared Content-Type is only a
 * claim. JPEG starts FF D8 FF (ISO/IEC 10918-1 SOI + marker), PNG with the 8-byte signature
 * 89 50 4E 47 0D 0A 1A 0A (RFC 2083 §3.1), WebP with `RIFF` <size> `WEBP` (RFC 9649 §2.5).
 */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const at = (offset: number, sig: readonly number[]) => sig.every((b, i) => bytes[offset + i] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return undefined;
}
