/**
 * A backend without its optional kernels, for running the suite on core's compositions of them
 * (ops/optional-kernels.ts in @flint/core): every optional kernel a backend provides is checked by
 * the kernel cases, and running the op fixtures on this view checks the fallback core takes when a
 * backend leaves one out. It shares the wrapped backend's storage and memory counts.
 */
import type { Backend, Kernels } from '@flint/core/backend';
import { OPTIONAL_KERNELS } from './kernels/table.js';

export function withoutOptionalKernels<S>(backend: Backend<S>, name = `${backend.name}-composed`): Backend<S> {
  // Inherit every kernel (methods that use `this` still find the others) and hide the optional ones.
  const kernels = Object.create(backend.kernels) as Kernels<S>;
  for (const kernel of OPTIONAL_KERNELS) Object.defineProperty(kernels, kernel, { value: undefined });
  const view: Backend<S> = {
    name,
    packageName: backend.packageName,
    kernels,
    engine: () => backend.engine(),
    priority: () => backend.priority(),
    memory: () => backend.memory(),
  };
  if (backend.init !== undefined) return { ...view, init: () => backend.init!() };
  return view;
}
