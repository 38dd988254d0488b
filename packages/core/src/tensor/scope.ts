/**
 * tidy(): free every tensor created inside fn except what it returns, what was kept (parameters,
 * .grad, optimizer state) and what became part of a live autograd graph through a saved alias.
 */
import type { Tensor } from './tensor.js';
import { isTensor } from './binding.js';

const scopes: Set<Tensor>[] = [];

/** Called by every new Tensor. */
export function trackTensor(t: Tensor): void {
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.add(t);
}

/** Exclude `t` from the enclosing tidy scopes (it outlives them). */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

function collectTensors(
  value: unknown,
  out: Set<Tensor>,
  seen: Set<unknown>,
  isTensor: (v: unknown) => v is Tensor,
): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, seen, isTensor);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, seen, isTensor);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, seen, isTensor);
  }
}

export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new Error('tidy() takes a synchronous function; await outside of it.');
  }
  const returned = new Set<Tensor>();
  collectTensors(result, returned, new Set(), isTensor);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (returned.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}
