/** Grad mode: torch.no_grad() / torch.enable_grad() as functions. */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    gradEnabled = previous;
    throw error;
  }
  if (result instanceof Promise) {
    // Async bodies: restore when they settle (do not interleave other grad-mode changes meanwhile).
    return result.finally(() => {
      gradEnabled = previous;
    }) as T;
  }
  gradEnabled = previous;
  return result;
}

/** Run `fn` without recording gradients (`with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run `fn` with gradient recording on, even inside noGrad (`with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

let inferenceEnabled = false;

/** True inside inferenceMode() (torch.is_inference_mode_enabled()). */
export function isInferenceModeEnabled(): boolean {
  return inferenceEnabled;
}

/**
 * Run `fn` in inference mode (`with torch.inference_mode():`): like noGrad, and every tensor
 * created inside is an inference tensor (`isInference()`), which autograd later refuses to save
 * for backward and which cannot be modified in place or made to require grad outside inference
 * mode. `inferenceMode(fn, false)` runs `fn` with inference mode off (grad mode unchanged).
 */
export function inferenceMode<T>(fn: () => T, mode = true): T {
  const previous = inferenceEnabled;
  inferenceEnabled = mode;
  const restore = (): void => {
    inferenceEnabled = previous;
  };
  let result: T;
  try {
    result = mode ? noGrad(fn) : fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
