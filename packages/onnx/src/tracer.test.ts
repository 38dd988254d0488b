import '@flint/backend-cpu';
import { type OpTracer, ones, setOpTracer, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';

/** core's op tracer hook (ops/op.ts), which the exporter's untraced-op guard stands on. */
describe('setOpTracer', () => {
  it('reports each op with its tensor list and result, nested ops inside (a view such as reshape without grad is no op), and nothing once removed', () => {
    const events: string[] = [];
    const a = ones([2]);
    const b = ones([2]);
    const tracer: OpTracer = {
      enter: (name, tensors) => events.push(`enter ${name} [${tensors.map((t) => t.shape.join('x')).join(', ')}]`),
      exit: (name, result) => events.push(`exit ${name} ${(result as Tensor).shape.join('x')}`),
    };
    const previous = setOpTracer(tracer);
    let y: Tensor;
    try {
      y = a.matmul(b.reshape([2, 1]));
    } finally {
      expect(setOpTracer(previous)).toBe(tracer);
    }
    expect(events[0]).toBe('enter matmul [2, 2x1]');
    expect(events).toContain('enter matmul [2, 2x1]');
    expect(events[events.length - 1]).toBe('exit matmul 1');
    expect(y.shape).toEqual([1]);
    const count = events.length;
    a.add(b);
    expect(events.length).toBe(count);
  });

  it('an exception from a tracer stops the op before its body runs', () => {
    const previous = setOpTracer({
      enter: (name) => {
        throw new Error(`stopped ${name}`);
      },
      exit: () => {},
    });
    try {
      expect(() => ones([2]).neg()).toThrow('stopped neg');
    } finally {
      setOpTracer(previous);
    }
  });
});
