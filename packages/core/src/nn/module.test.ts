import '@flint/backend-cpu';
import { cpuBackend } from '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  manualSeed,
  memory,
  noGrad,
  ones,
  randn,
  registerBackend,
  removeBackend,
  tensor,
  tidy,
  zeros,
  Tensor,
  nn,
} from '../index.js';
import { expectClose } from './test-helpers.js';

class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.Linear(512, 10),
  );
  override forward(x: Tensor): Tensor {
    return this.linear_relu_stack(this.flatten(x));
  }
}

/** The course's 784-16-16-10 sigmoid MLP. */
const courseMlp = (): nn.Sequential =>
  new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 10),
  );

describe('Parameter', () => {
  it('shares the tensor storage, is a leaf that requires grad, and survives tidy', () => {
    const t = tensor([1, 2, 3]);
    const p = tidy(() => new nn.Parameter(t));
    expect(p).toBeInstanceOf(Tensor);
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p.isDisposed).toBe(false);
    expect(Array.from(p.dataSync())).toEqual([1, 2, 3]);
    noGrad(() => p.mul_(2));
    expect(Array.from(t.dataSync())).toEqual([2, 4, 6]); // same storage
    expect(new nn.Parameter(tensor([1]), false).requiresGrad).toBe(false);
    expect(p.toString()).toMatch(/^Parameter containing:\ntensor\(\[2\., 4\., 6\.\], requires_grad=True\)/);
    expect(() => new nn.Parameter(tensor([1], { dtype: 'int32' }))).toThrow(/floating point/);
  });
});

describe('Module', () => {
  it('is callable like PyTorch: model(x) runs forward', () => {
    manualSeed(0);
    const model = new NeuralNetwork();
    expect(typeof model).toBe('function');
    expect(model).toBeInstanceOf(NeuralNetwork);
    expect(model).toBeInstanceOf(nn.Module);
    const x = randn(3, 28, 28);
    const y = model(x) as Tensor;
    expect([...y.shape]).toEqual([3, 10]);
    expectClose(y, model.forward(x));
    // subclasses may use the names functions own
    class Named extends nn.Module {
      override name = 'n';
      override length = 3;
    }
    const n = new Named();
    expect([n.name, n.length]).toEqual(['n', 3]);
    expect(() => n(tensor([1]))).toThrow('Module [Named] is missing the required "forward" function');
  });

  it('stateDict keys of the course model follow PyTorch', () => {
    const model = new NeuralNetwork();
    expect(Object.keys(model.stateDict())).toEqual([
      'linear_relu_stack.0.weight',
      'linear_relu_stack.0.bias',
      'linear_relu_stack.2.weight',
      'linear_relu_stack.2.bias',
      'linear_relu_stack.3.weight',
      'linear_relu_stack.3.bias',
    ]);
    expect(model.namedParameters().map(([k, p]) => [k, [...p.shape]])).toEqual([
      ['linear_relu_stack.0.weight', [512, 784]],
      ['linear_relu_stack.0.bias', [512]],
      ['linear_relu_stack.2.weight', [512, 512]],
      ['linear_relu_stack.2.bias', [512]],
      ['linear_relu_stack.3.weight', [10, 512]],
      ['linear_relu_stack.3.bias', [10]],
    ]);
    expect(model.namedChildren().map(([k]) => k)).toEqual(['flatten', 'linear_relu_stack']);
    expect(model.namedModules().map(([k]) => k)).toEqual([
      '',
      'flatten',
      'linear_relu_stack',
      'linear_relu_stack.0',
      'linear_relu_stack.1',
      'linear_relu_stack.2',
      'linear_relu_stack.3',
    ]);
    expect(model.getSubmodule('linear_relu_stack.2')).toBe((model.linear_relu_stack as nn.Sequential).get(2));
    expect(model.getParameter('linear_relu_stack.3.bias').shape).toEqual([10]);
  });

  it('the course 784-16-16-10 sigmoid MLP has exactly 13,002 parameters', () => {
    const model = courseMlp();
    expect(model.parameters().reduce((n, p) => n + p.numel, 0)).toBe(13002);
    expect(model.parameters()).toHaveLength(6);
  });

  it('prints like PyTorch', () => {
    expect(new NeuralNetwork().toString()).toBe(
      [
        'NeuralNetwork(',
        '  (flatten): Flatten(start_dim=1, end_dim=-1)',
        '  (linear_relu_stack): Sequential(',
        '    (0): Linear(in_features=784, out_features=512, bias=True)',
        '    (1): ReLU()',
        '    (2): Linear(in_features=512, out_features=512, bias=True)',
        '    (3): Linear(in_features=512, out_features=10, bias=True)',
        '  )',
        ')',
      ].join('\n'),
    );
    expect(new nn.Conv2d(1, 6, 5, { padding: 2, bias: false }).toString()).toBe(
      'Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=False)',
    );
    expect(new nn.Dropout(0.2).toString()).toBe('Dropout(p=0.2, inplace=False)');
  });

  it('manualSeed(0) gives identical weights twice; another seed differs', () => {
    manualSeed(0);
    const a = courseMlp()
      .parameters()
      .map((p) => Array.from(p.dataSync()));
    manualSeed(0);
    const b = courseMlp()
      .parameters()
      .map((p) => Array.from(p.dataSync()));
    manualSeed(1);
    const c = courseMlp()
      .parameters()
      .map((p) => Array.from(p.dataSync()));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('default Linear init is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias', () => {
    manualSeed(3);
    const lin = new nn.Linear(100, 200);
    const bound = 1 / Math.sqrt(100);
    for (const p of [lin.weight, lin.bias!]) {
      const v = Array.from(p.dataSync());
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
    }
    const w = Array.from(lin.weight.dataSync());
    // uniform: max near the bound, variance bound^2/3
    expect(Math.max(...w)).toBeGreaterThan(0.99 * bound);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(((bound * bound) / 3) * 0.95);
    expect(variance).toBeLessThan(((bound * bound) / 3) * 1.05);
  });

  it('train()/eval() set training recursively; eval() disables dropout', () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Sequential(new nn.Dropout(0.5)));
    expect(model.modules().every((m) => m.training)).toBe(true);
    const x = ones(200, 4);
    const drop = model.get(1) as nn.Sequential;
    const trainOut = Array.from((drop(x) as Tensor).dataSync());
    expect(trainOut.some((v) => v === 0)).toBe(true);
    expect(trainOut.every((v) => v === 0 || v === 2)).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.modules().every((m) => !m.training)).toBe(true);
    expectClose(drop(x) as Tensor, x);
    model.train();
    expect((drop.get(0) as nn.Dropout).training).toBe(true);
  });

  it('registers buffers (persistent in stateDict, non-persistent not) and explicit parameters in order', () => {
    class WithBuffers extends nn.Module {
      declare w: nn.Parameter;
      constructor() {
        super();
        this.registerParameter('w', new nn.Parameter(ones(2)));
        this.registerBuffer('running', zeros(2));
        this.registerBuffer('scratch', zeros(1), false);
        this.registerParameter('absent', null);
        this.registerModule('child', new nn.Linear(2, 1));
      }
    }
    const m = new WithBuffers();
    expect(Object.keys(m.stateDict())).toEqual(['w', 'running', 'child.weight', 'child.bias']);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['running', 'scratch']);
    expect(m.buffers()).toHaveLength(2);
    expect(m.namedParameters().map(([k]) => k)).toEqual(['w', 'child.weight', 'child.bias']);
    expect(m.w).toBeInstanceOf(nn.Parameter);
    expect(() => m.registerParameter('a.b', null)).toThrow('can\'t contain "."');
    expect(() => m.registerBuffer('w', zeros(1))).toThrow("attribute 'w' already exists");
    expect(() => m.registerParameter('x', zeros(1) as unknown as nn.Parameter)).toThrow(
      /nn.Parameter or null required/,
    );
  });

  it('shared parameters are listed once', () => {
    const lin = new nn.Linear(3, 3);
    const model = new nn.Sequential(lin, new nn.ReLU(), lin);
    expect(model.parameters()).toHaveLength(2);
    expect(model.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias']);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('loadStateDict copies in place and round-trips', () => {
    manualSeed(0);
    const a = courseMlp();
    manualSeed(1);
    const b = courseMlp();
    const params = b.parameters();
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.parameters()).toEqual(params); // same objects
    b.parameters().forEach((p, i) => {
      expectClose(p, a.parameters()[i]!);
    });
    expect(b.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it('loadStateDict names every missing, unexpected and mis-shaped key', () => {
    class Net extends nn.Module {
      fc = new nn.Linear(4, 10);
      out = new nn.Linear(10, 2);
    }
    const net = new Net();
    const sd: Record<string, Tensor> = {
      'fc.weight': zeros(10, 5),
      'fc.bias': zeros(10),
      'out.weight': zeros(2, 10),
      extra: zeros(1),
      'out.extra2': zeros(1),
    };
    let message = '';
    try {
      net.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      [
        'Error(s) in loading state_dict for Net:',
        '\tMissing key(s) in state_dict: "out.bias". ',
        '\tUnexpected key(s) in state_dict: "extra", "out.extra2". ',
        '\tsize mismatch for fc.weight: copying a param with shape [10, 5] from checkpoint, the shape in current model is [10, 4].',
      ].join('\n'),
    );
    // nothing was copied
    expect(Array.from(net.out.weight.dataSync()).some((v) => v !== 0)).toBe(true);
    // strict=false: still an error for the size mismatch, lists keys otherwise
    expect(() => net.loadStateDict(sd, false)).toThrow(
      'size mismatch for fc.weight: copying a param with shape [10, 5] from checkpoint, the shape in current model is [10, 4].',
    );
    const ok = { ...sd, 'fc.weight': zeros(10, 4) };
    expect(net.loadStateDict(ok, false)).toEqual({
      missingKeys: ['out.bias'],
      unexpectedKeys: ['extra', 'out.extra2'],
    });
    expect(Array.from(net.out.weight.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('zeroGrad drops or zeroes the gradients', () => {
    const lin = new nn.Linear(3, 2);
    (lin(ones(1, 3)) as Tensor).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zeroGrad(false);
    expect(Array.from(lin.weight.grad!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias!.grad).toBeNull();
  });

  it('apply visits children first, then the module', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.ReLU()));
    const seen: string[] = [];
    model.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
    model.apply((m) => {
      if (m instanceof nn.Linear) nn.init.constant_(m.weight, 0.5);
    });
    expect(Array.from((model.get(0) as nn.Linear).weight.dataSync())).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('to(device) moves parameters and buffers in place', () => {
    registerBackend({ ...cpuBackend, name: 'cpu2', priority: () => 0 });
    try {
      const bn = new nn.Sequential(new nn.Linear(2, 2), new nn.CrossEntropyLoss({ weight: ones(2) }));
      const params = bn.parameters();
      const before = params.map((p) => Array.from(p.dataSync()));
      expect(bn.to('cpu2')).toBe(bn);
      expect(bn.parameters()).toEqual(params);
      expect(bn.parameters().every((p) => p.device === 'cpu2')).toBe(true);
      expect(bn.buffers().map((b) => b.device)).toEqual(['cpu2']);
      expect(bn.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);
      const y = (bn.get(0) as nn.Linear)(ones(1, 2, { device: 'cpu2' })) as Tensor;
      expect(y.device).toBe('cpu2');
      bn.to('cpu');
      expect(bn.parameters().every((p) => p.device === 'cpu')).toBe(true);
    } finally {
      removeBackend('cpu2');
    }
  });

  it('constructing a model inside tidy keeps its parameters', () => {
    const model = tidy(() => courseMlp());
    expect(model.parameters().every((p) => !p.isDisposed)).toBe(true);
    const x = randn(2, 784);
    const step = (): void =>
      tidy(() => {
        model.zeroGrad();
        (model(x) as Tensor).sum().backward();
      });
    step();
    const before = memory().handles;
    step();
    step();
    expect(memory().handles).toBe(before);
    (noGrad(() => tidy(() => model(x))) as Tensor).dispose();
    expect(memory().handles).toBe(before);
  });
});

describe('containers', () => {
  it('Sequential: indexing, length, iteration, append, named children', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq.length).toBe(2);
    expect(seq.get(-1)).toBeInstanceOf(nn.ReLU);
    expect(() => seq.get(2)).toThrow(/out of range/);
    seq.append(new nn.Linear(3, 1));
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect([...(seq(ones(4, 2)) as Tensor).shape]).toEqual([4, 1]);
    const named = new nn.Sequential({ conv1: new nn.Conv2d(1, 2, 3), relu1: new nn.ReLU(), flat: new nn.Flatten() });
    expect(named.namedChildren().map(([k]) => k)).toEqual(['conv1', 'relu1', 'flat']);
    // a Map keeps insertion order even for integer-like names (a plain object lists those first)
    const mapped = new nn.Sequential(
      new Map<string, nn.Module>([
        ['b', new nn.ReLU()],
        ['10', new nn.ReLU()],
        ['2', new nn.ReLU()],
      ]),
    );
    expect(mapped.namedChildren().map(([k]) => k)).toEqual(['b', '10', '2']);
    expect(Object.keys(named.stateDict())).toEqual(['conv1.weight', 'conv1.bias']);
    expect(() => new nn.Sequential(3 as unknown as nn.Module)).toThrow(/is not a Module subclass/);
    expect(
      seq
        .slice(1)
        .namedChildren()
        .map(([k]) => k),
    ).toEqual(['1', '2']);
  });

  it('ModuleList and ModuleDict register children in insertion order', () => {
    class Net extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
      heads = new nn.ModuleDict({ b: new nn.Linear(2, 1), a: new nn.Linear(2, 1) });
      override forward(x: Tensor): Tensor {
        for (const l of this.layers) x = l(x);
        return this.heads.get('a')!(x);
      }
    }
    const net = new Net();
    net.heads.set('1', new nn.Linear(2, 1, { bias: false }));
    expect(Object.keys(net.stateDict())).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'heads.b.weight',
      'heads.b.bias',
      'heads.a.weight',
      'heads.a.bias',
      'heads.1.weight',
    ]);
    expect(net.heads.keys()).toEqual(['b', 'a', '1']);
    expect([...(net(ones(3, 2)) as Tensor).shape]).toEqual([3, 1]);
    expect(net.layers.length).toBe(2);
    net.layers.insert(0, new nn.ReLU());
    expect(net.layers.map((m) => m.constructor.name)).toEqual(['ReLU', 'Linear', 'Linear']);
  });

  it("disposing a layer's parameters frees their storage (no temporary keeps it alive)", () => {
    const before = memory().handles;
    const layer = new nn.Linear(4, 3);
    const conv = new nn.Conv2d(1, 2, 3);
    expect(memory().handles).toBe(before + 4);
    for (const p of [...layer.parameters(), ...conv.parameters()]) p.dispose();
    expect(memory().handles).toBe(before);
  });
});
