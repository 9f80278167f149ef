import { z } from 'zod';

/** Query parameters of every paged list. */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('1-based page number'),
  pageSize: z.coerce.number().int().min(1).max(500).default(50).describe('items per page (max 500)'),
});
export type PageQuery = z.infer<typeof pageQuery>;

/** The envelope of every paged list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  });
}

/** SQL limit/offset of a page. */
export function limits(q: PageQuery): { limit: number; offset: number } {
  return { limit: q.pageSize, offset: (q.page - 1) * q.pageSize };
}
