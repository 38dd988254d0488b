/**
 * torch.optim.LBFGS: limited-memory BFGS over all parameters as one flat vector, with an optional
 * strong-Wolfe line search (PyTorch's port of minFunc).
 *
 * Unlike the other optimizers, L-BFGS decides on the host: each iteration reads back the loss, a
 * few dot products and max-norms (as PyTorch does with float(closure()) and its tensor
 * comparisons). Vectors stay on the device; scalars (ys, rho, H_diag, t) are host numbers.
 */
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { keep, tidy } from '../tensor/scope.js';
import { cat } from '../ops/layout.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../backend/shape.js';
import { Optimizer, type Closure, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface LBFGSOptions {
  lr: number;
  /** Iterations per step(). */
  maxIter: number;
  /** Function evaluations per step() (default maxIter * 5 / 4, rounded down). */
  maxEval: number;
  /** Stop when the gradient's max-norm is at most this. */
  toleranceGrad: number;
  /** Stop when the loss or the step changes less than this. */
  toleranceChange: number;
  /** Curvature pairs kept. */
  historySize: number;
  /** 'strong_wolfe' or null (fixed step lr). */
  lineSearchFn: 'strong_wolfe' | null;
}

const toNumber = (v: Tensor | number): number => (v instanceof Tensor ? v.item() : Number(v));
const maxAbs = (t: Tensor): number => tidy(() => t.abs().max().item());
const dot = (a: Tensor, b: Tensor): number => tidy(() => a.dot(b).item());

/** Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds (PyTorch's _cubic_interpolate). */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/**
 * L-BFGS (PyTorch's algorithm and defaults: lr 1, maxIter 20, toleranceGrad 1e-7, toleranceChange
 * 1e-9, historySize 100). One parameter group only; step(closure) is required — the closure
 * zeroes the gradients, computes the loss, calls backward() and returns the loss. State (PyTorch's
 * names, on the first parameter): `func_evals`, `n_iter`, `d`, `t`, `old_dirs`, `old_stps`, `ro`,
 * `H_diag`, `prev_flat_grad`, `prev_loss`.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  protected override readonly stateKeys = [
    'func_evals',
    'n_iter',
    'd',
    't',
    'old_dirs',
    'old_stps',
    'ro',
    'H_diag',
    'prev_flat_grad',
    'prev_loss',
  ];
  private readonly params: Tensor[];
  private readonly numel: number;

  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const maxIter = options.maxIter ?? 20;
    super(
      params,
      {
        lr: 1,
        maxIter,
        maxEval: Math.floor((maxIter * 5) / 4),
        toleranceGrad: 1e-7,
        toleranceChange: 1e-9,
        historySize: 100,
        lineSearchFn: null,
      },
      options,
    );
    if (this.paramGroups.length !== 1)
      throw new Error("LBFGS doesn't support per-parameter options (parameter groups)");
    this.params = this.paramGroups[0]!.params;
    const devices = new Set(this.params.map((p) => p.device));
    if (devices.size > 1)
      throw new Error(`LBFGS: all parameters must be on one device, got ${[...devices].join(', ')}`);
    this.numel = this.params.reduce((n, p) => n + p.numel, 0);
  }

  protected override validateGroup(group: ParamGroup<LBFGSOptions>): void {
    super.validateGroup(group);
    if (group.lineSearchFn !== null && group.lineSearchFn !== 'strong_wolfe')
      throw new Error(`LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got ${String(group.lineSearchFn)}`);
    if (!Number.isInteger(group.maxIter) || group.maxIter < 1)
      throw new Error(`LBFGS: maxIter must be a positive integer, got ${group.maxIter}`);
    if (!Number.isInteger(group.historySize) || group.historySize < 1)
      throw new Error(`LBFGS: historySize must be a positive integer, got ${group.historySize}`);
  }

  override addParamGroup(group: Parameters<Optimizer<LBFGSOptions>['addParamGroup']>[0]): void {
    if (this.paramGroups.length > 0) throw new Error("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  protected override checkStateTensor(_p: Tensor, key: string, v: Tensor, what: string): void {
    if (v.ndim !== 1 || v.shape[0] !== this.numel) {
      throw new Error(
        `LBFGS.loadStateDict: ${what} has shape ${formatShape(v.shape)}, expected [${this.numel}] (all parameters flattened; '${key}')`,
      );
    }
  }

  protected updateGroup(): void {
    throw new Error('LBFGS.updateGroup is not used: step(closure) runs the whole iteration');
  }

  /** All gradients as one flat vector (zeros for parameters without a gradient). */
  private gatherFlatGrad(): Tensor {
    return tidy(() =>
      cat(
        this.params.map((p) => (p.grad === null ? zeros(p.numel, { device: p.device }) : p.grad.reshape(-1))),
        0,
      ),
    );
  }

  /** p += stepSize * update (update is flat). */
  private addGrad(stepSize: number, update: Tensor): void {
    tidy(() => {
      let offset = 0;
      for (const p of this.params) {
        p.add_(update.narrow(0, offset, p.numel).reshape(p.shape), stepSize);
        offset += p.numel;
      }
    });
  }

  /** The loss (a host number) and the flat gradient at x + t d; the parameters are restored to x. */
  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = tidy(() => toNumber(enableGrad(closure)));
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => {
      p.copy_(x[i]!);
    });
    return [loss, flatGrad];
  }

  /** PyTorch's _strong_wolfe; runs inside a tidy, the returned gradient survives it. */
  private strongWolfe(
    closure: Closure,
    t0: number,
    d: Tensor,
    f: number,
    g: Tensor,
    gtd: number,
  ): { loss: number; grad: Tensor; t: number; evals: number } {
    const c1 = 1e-4;
    const c2 = 0.9;
    const maxLs = 25;
    const toleranceChange = this.paramGroups[0]!.toleranceChange;
    const x = this.params.map((p) => p.clone());
    const evaluate = (t: number) => this.directionalEvaluate(closure, x, t, d);
    const dNorm = maxAbs(d);
    let t = t0;
    let [fNew, gNew] = evaluate(t);
    let evals = 1;
    let gtdNew = dot(gNew, d);
    let tPrev = 0;
    let fPrev = f;
    let gPrev = g;
    let gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: number[] = [];
    let bracketF: number[] = [];
    let bracketG: Tensor[] = [];
    let bracketGtd: number[] = [];
    while (lsIter < maxLs) {
      if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        bracket = [t];
        bracketF = [fNew];
        bracketG = [gNew];
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      const minStep = t + 0.01 * (t - tPrev);
      const maxStep = t * 10;
      const previous = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = previous;
      fPrev = fNew;
      gPrev = gNew;
      gtdPrev = gtdNew;
      [fNew, gNew] = evaluate(t);
      evals += 1;
      gtdNew = dot(gNew, d);
      lsIter += 1;
    }
    if (lsIter === maxLs) {
      bracket = [0, t];
      bracketF = [f, fNew];
      bracketG = [g, gNew];
    }
    // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
    let insufficientProgress = false;
    let [low, high] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
    while (!done && lsIter < maxLs) {
      if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
      t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
      const bMax = Math.max(...bracket);
      const bMin = Math.min(...bracket);
      const eps = 0.1 * (bMax - bMin);
      if (Math.min(bMax - t, t - bMin) < eps) {
        if (insufficientProgress || t >= bMax || t <= bMin) {
          t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
          insufficientProgress = false;
        } else {
          insufficientProgress = true;
        }
      } else {
        insufficientProgress = false;
      }
      [fNew, gNew] = evaluate(t);
      evals += 1;
      gtdNew = dot(gNew, d);
      lsIter += 1;
      if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]!) {
        bracket[high] = t;
        bracketF[high] = fNew;
        bracketG[high] = gNew;
        bracketGtd[high] = gtdNew;
        [low, high] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
      } else {
        if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
        else if (gtdNew * (bracket[high]! - bracket[low]!) >= 0) {
          bracket[high] = bracket[low]!;
          bracketF[high] = bracketF[low]!;
          bracketG[high] = bracketG[low]!;
          bracketGtd[high] = bracketGtd[low]!;
        }
        bracket[low] = t;
        bracketF[low] = fNew;
        bracketG[low] = gNew;
        bracketGtd[low] = gtdNew;
      }
    }
    return { loss: bracketF[low]!, grad: bracketG[low]!, t: bracket[low]!, evals };
  }

  /**
   * Up to maxIter L-BFGS iterations. Returns what the first closure call returned (as PyTorch).
   */
  override step(closure?: Closure): Tensor | number {
    if (typeof closure !== 'function')
      throw new Error('LBFGS.step: a closure is required (it re-evaluates the model and returns the loss)');
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const state = this.stateOf(this.params[0]!);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = tidy(() => enableGrad(closure));
    let loss = toNumber(origLoss);
    let currentEvals = 1;
    state.func_evals = (state.func_evals as number) + 1;

    noGrad(() => {
      let flatGrad = keep(this.gatherFlatGrad());
      try {
        if (maxAbs(flatGrad) <= toleranceGrad) return;
        let d = state.d as Tensor | undefined;
        let t = state.t as number | undefined;
        let oldDirs = (state.old_dirs as Tensor[] | undefined) ?? [];
        let oldStps = (state.old_stps as Tensor[] | undefined) ?? [];
        let ro = (state.ro as number[] | undefined) ?? [];
        let hDiag = (state.H_diag as number | undefined) ?? 1;
        let prevFlatGrad = state.prev_flat_grad as Tensor | undefined;
        let prevLoss = state.prev_loss as number | undefined;
        let nIter = 0;
        const replaceD = (next: Tensor): void => {
          if (d !== undefined && d !== next) d.dispose();
          d = keep(next);
        };
        while (nIter < maxIter) {
          nIter += 1;
          state.n_iter = (state.n_iter as number) + 1;
          if (state.n_iter === 1) {
            replaceD(tidy(() => flatGrad.neg()));
            for (const v of [...oldDirs, ...oldStps]) v.dispose();
            oldDirs = [];
            oldStps = [];
            ro = [];
            hDiag = 1;
          } else {
            // Update the curvature pairs, then the two-loop recursion for the direction.
            const y = keep(tidy(() => flatGrad.sub(prevFlatGrad!)));
            const s = keep(tidy(() => d!.mul(t!)));
            const ys = dot(y, s);
            if (ys > 1e-10) {
              if (oldDirs.length === historySize) {
                oldDirs.shift()!.dispose();
                oldStps.shift()!.dispose();
                ro.shift();
              }
              oldDirs.push(y);
              oldStps.push(s);
              ro.push(1 / ys);
              hDiag = ys / dot(y, y);
            } else {
              y.dispose();
              s.dispose();
            }
            const numOld = oldDirs.length;
            const al: number[] = new Array<number>(numOld).fill(0);
            const direction = tidy(() => {
              let q = flatGrad.neg();
              for (let i = numOld - 1; i >= 0; i--) {
                al[i] = dot(oldStps[i]!, q) * ro[i]!;
                q = q.add(oldDirs[i]!, -al[i]!);
              }
              let r = q.mul(hDiag);
              for (let i = 0; i < numOld; i++) {
                const beI = dot(oldDirs[i]!, r) * ro[i]!;
                r = r.add(oldStps[i]!, al[i]! - beI);
              }
              return r;
            });
            replaceD(direction);
          }
          if (prevFlatGrad === undefined) prevFlatGrad = keep(flatGrad.clone());
          else prevFlatGrad.copy_(flatGrad);
          prevLoss = loss;
          t = state.n_iter === 1 ? Math.min(1, 1 / tidy(() => flatGrad.abs().sum().item())) * lr : lr;
          const gtd = dot(flatGrad, d!);
          if (gtd > -toleranceChange) break;

          let lsEvals = 0;
          let optimal = false;
          if (lineSearchFn === 'strong_wolfe') {
            const dir = d!;
            const found = tidy(() => this.strongWolfe(closure, t!, dir, loss, flatGrad, gtd));
            loss = found.loss;
            t = found.t;
            lsEvals = found.evals;
            if (found.grad !== flatGrad) {
              flatGrad.dispose();
              flatGrad = keep(found.grad);
            }
            this.addGrad(t, dir);
            optimal = maxAbs(flatGrad) <= toleranceGrad;
          } else {
            this.addGrad(t, d!);
            if (nIter !== maxIter) {
              loss = tidy(() => toNumber(enableGrad(closure)));
              flatGrad.dispose();
              flatGrad = keep(this.gatherFlatGrad());
              optimal = maxAbs(flatGrad) <= toleranceGrad;
              lsEvals = 1;
            }
          }
          currentEvals += lsEvals;
          state.func_evals = (state.func_evals as number) + lsEvals;
          if (nIter === maxIter || currentEvals >= maxEval || optimal) break;
          const stepSize = t;
          if (tidy(() => d!.abs().max().item()) * Math.abs(stepSize) <= toleranceChange) break;
          if (Math.abs(loss - prevLoss) < toleranceChange) break;
        }
        Object.assign(state, {
          ...(d === undefined ? {} : { d }),
          ...(t === undefined ? {} : { t }),
          old_dirs: oldDirs,
          old_stps: oldStps,
          ro,
          H_diag: hDiag,
          ...(prevFlatGrad === undefined ? {} : { prev_flat_grad: prevFlatGrad }),
          ...(prevLoss === undefined ? {} : { prev_loss: prevLoss }),
        });
      } finally {
        flatGrad.dispose();
      }
    });
    return origLoss;
  }
}
