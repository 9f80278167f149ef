import { describe, expect, it } from 'vitest';
import { maxPhotoBytes, photoProblem, uploadUrl } from './uploads.ts';

describe('photo uploads (client side)', () => {
  it('checks type and size before uploading', () => {
    expect(photoProblem({ type: 'image/png', size: 100 })).toBeNull();
    expect(photoProblem({ type: 'image/gif', size: 100 })).toBe('type');
    expect(photoProblem({ type: 'image/jpeg', size: maxPhotoBytes + 1 })).toBe('size');
  });

  it('turns upload references into URLs and leaves other references alone', () => {
    const sha = 'a'.repeat(64);
    expect(uploadUrl(`upload:${sha}`)).toBe(`/api/uploads/${sha}`);
    expect(uploadUrl('upload:../../etc')).toBeUndefined();
    expect(uploadUrl('demo:photo-1')).toBeUndefined();
  });
});
