/** Writing an exported model to a path (Node). */
import type { nn, Tensor } from '@flint/core';
import { type ExportOptions, exportModel } from './export.js';

/**
 * Export `model` (as exportModel) and write it to `path` atomically: the bytes go to a temporary
 * file in the same directory, fsynced and renamed over `path`, so a failed write leaves any
 * previous file as it was. Node only.
 */
export async function exportModelToFile(
  model: nn.Module,
  sampleInputs: Tensor | readonly Tensor[],
  path: string,
  options: ExportOptions = {},
): Promise<void> {
  const bytes = exportModel(model, sampleInputs, options);
  const { open, rename, rm } = await import('node:fs/promises');
  const { resolve, dirname, basename, join } = await import('node:path');
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw new Error(`onnx export: could not write ${target}: ${(error as Error).message}`, { cause: error });
  }
}
