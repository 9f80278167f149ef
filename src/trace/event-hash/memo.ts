/**
 * Remembers recent results of a pure function of a string: two generations of at most `size`
 * entries each; a full young generation becomes the old one. Events repeat the same locations,
 * steps, classes and parties; unique serials only pass through.
 */
export class RecentMemo {
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  constructor(private readonly size = 20_000) {}

  get(key: string): string | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, value: string): void {
    if (this.young.size >= this.size) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
