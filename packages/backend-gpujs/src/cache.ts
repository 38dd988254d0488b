/** A bounded LRU of compiled kernels that counts every compilation. */
export interface Destroyable {
  destroy(removeCanvasReferences?: boolean): void;
}

export class KernelCache<K extends Destroyable> {
  private readonly map = new Map<string, K>();
  /** Kernels built (each gpu.js kernel compiles its source once, on its first call). */
  compilations = 0;
  evictions = 0;
  hits = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`@flint/backend-gpujs: kernel cache capacity must be >= 1, got ${capacity}.`);
  }

  get size(): number {
    return this.map.size;
  }

  getOrBuild(key: string, build: () => K): K {
    const found = this.map.get(key);
    if (found !== undefined) {
      this.hits++;
      this.map.delete(key);
      this.map.set(key, found);
      return found;
    }
    const built = build();
    this.compilations++;
    this.map.set(key, built);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      const victim = this.map.get(oldest)!;
      this.map.delete(oldest);
      this.evictions++;
      victim.destroy(false);
    }
    return built;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  clear(): void {
    for (const k of this.map.values()) k.destroy(false);
    this.map.clear();
  }
}
