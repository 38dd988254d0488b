/**
 * GPUBuffer pool by size class. Training allocates the same shapes every step, so freed buffers are
 * handed out again instead of being created and destroyed per op. Size classes: powers of two up
 * to 1 MiB, then quarter steps (at most 25% slack).
 */
const MIN_CLASS = 256;
const FINE_FROM = 1 << 20;

export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= FINE_FROM) return pow;
  const quarter = pow / 8;
  return Math.ceil(bytes / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Bytes of buffers waiting in the pool. */
  freeBytes = 0;
  freeBuffers = 0;
  /** Buffers created and destroyed over the pool's life (for leak and reuse tests). */
  created = 0;
  destroyed = 0;
  reused = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    /** Free bytes kept; beyond this, freed buffers are destroyed. */
    private readonly maxFreeBytes: number,
  ) {}

  acquire(bytes: number, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const buffer = list?.pop();
    if (buffer !== undefined) {
      this.freeBytes -= size;
      this.freeBuffers--;
      this.reused++;
      return buffer;
    }
    this.created++;
    return this.device.createBuffer({ size, usage: this.usage, label });
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    if (this.freeBytes + size > this.maxFreeBytes) {
      this.destroyed++;
      buffer.destroy();
      return;
    }
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
    this.freeBytes += size;
    this.freeBuffers++;
  }

  /** Destroy every pooled buffer. */
  clear(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        b.destroy();
        this.destroyed++;
      }
    }
    this.free.clear();
    this.freeBytes = 0;
    this.freeBuffers = 0;
  }
}
