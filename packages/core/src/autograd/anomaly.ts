/**
 * Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly): a debugging mode in which
 * the engine reads every gradient a backward rule returns back to the host and throws, naming the
 * rule, at the first NaN (and, with checkInf, infinity); each node recorded meanwhile also keeps the
 * stack of the forward call that created it, which the error quotes. It reads back after every
 * node, so it is slow and needs a backend with synchronous reads (cpu, tfjs, gpujs).
 */
export interface AnomalyOptions {
  /** Throw when a backward rule returns NaN (default true, as PyTorch's check_nan). */
  checkNan?: boolean;
  /**
   * Throw on ±Infinity too (default false: PyTorch checks NaN only, and an infinite gradient can
   * be legitimate, e.g. sqrt at 0 under a mask).
   */
  checkInf?: boolean;
}

interface AnomalyState {
  readonly enabled: boolean;
  readonly checkNan: boolean;
  readonly checkInf: boolean;
}

let state: AnomalyState = { enabled: false, checkNan: true, checkInf: false };

/** True while anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return state.enabled;
}

/** @internal What the engine checks. */
export function anomalyChecks(): { readonly checkNan: boolean; readonly checkInf: boolean } {
  return state;
}

/** Turn anomaly detection on or off for everything that follows (torch.autograd.set_detect_anomaly). */
export function setDetectAnomaly(mode: boolean, options: AnomalyOptions = {}): void {
  state = { enabled: mode, checkNan: options.checkNan ?? true, checkInf: options.checkInf ?? false };
}

/** Run `fn` (forward and backward) with anomaly detection on (`with torch.autograd.detect_anomaly():`). */
export function detectAnomaly<T>(fn: () => T, options: AnomalyOptions = {}): T {
  const previous = state;
  setDetectAnomaly(true, options);
  const restore = (): void => {
    state = previous;
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
