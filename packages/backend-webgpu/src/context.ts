/**
 * The kernels' handle on the device. The kernel table exists from import on (core registers the
 * backend synchronously), while the device only exists after the asynchronous `init()`.
 */
import type { TensorRef } from '@flint/core/backend';
import { GpuDevice, type DeviceOptions } from './device.js';
import type { WebGpuStorage } from './storage.js';

export type Ref = TensorRef<WebGpuStorage>;

export class WebGpuContext {
  private opened: GpuDevice | null = null;
  private opening: Promise<GpuDevice> | null = null;

  constructor(readonly options: DeviceOptions = {}) {}

  /** Open the device once (later calls share the first). */
  init(): Promise<GpuDevice> {
    this.opening ??= GpuDevice.open(this.options).then((d) => {
      this.opened = d;
      return d;
    });
    return this.opening;
  }

  get ready(): boolean {
    return this.opened !== null;
  }

  /**
   * The device, for kernels. Used before init(), it starts opening the device (the first use is
   * what asks for the adapter) and throws a clear error: the device opens asynchronously.
   */
  get device(): GpuDevice {
    if (this.opened === null) {
      // init()'s own callers see a failure; this call only starts it.
      this.init().catch(() => {});
      throw new Error(
        '@flint/backend-webgpu: the WebGPU device is not open yet: it opens asynchronously (this first use ' +
          "started opening it). `await ready()` (import { ready } from '@flint/core'), or " +
          '`await webgpuBackend.init()`, before the first tensor operation.',
      );
    }
    return this.opened;
  }

  /** The device if it is open (memory/engine reports before init). */
  get maybeDevice(): GpuDevice | null {
    return this.opened;
  }
}

/** A kernel file's export: given the context, the kernel. */
export type KernelFactory<K> = (ctx: WebGpuContext) => K;
