import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analysis,
  effects,
  functionNamed,
  reads,
  writes
} from './analysis-helpers.js';

// ---- reads ------------------------------------------------------------------

test('a global read before any binding in the cell is a read', () => {
  assert.deepEqual(effects('y = x + 1'), {
    reads: ['x'],
    writes: ['y assigned']
  });
});

test('builtins are not reads', () => {
  assert.deepEqual(reads('n = len(data)\nprint(n, max(data), True, None)'), [
    'data'
  ]);
});

test('a name bound earlier in the cell is not a read', () => {
  assert.deepEqual(reads('x = 1\ny = x * 2'), []);
});

test('a name read before the cell binds it is a read', () => {
  assert.deepEqual(effects('y = x\nx = 1'), {
    reads: ['x'],
    writes: ['y assigned', 'x assigned']
  });
});

test('reads are listed once, in source order', () => {
  assert.deepEqual(reads('z = b + a\nw = a + b + c'), ['b', 'a', 'c']);
});

test('a name bound in one branch of an if is still a read after it', () => {
  assert.deepEqual(reads('if c:\n    x = 1\nprint(x)'), ['c', 'x']);
});

test('a name bound in every branch of an if is not a read after it', () => {
  assert.deepEqual(
    reads('if c:\n    x = 1\nelif d:\n    x = 2\nelse:\n    x = 3\nprint(x)'),
    ['c', 'd']
  );
});

test('what a loop body binds may never be bound', () => {
  assert.deepEqual(reads('for i in r:\n    z = i\nprint(z, i)'), [
    'r',
    'z',
    'i'
  ]);
  assert.deepEqual(reads('while go():\n    z = 1\nprint(z)'), ['go', 'z']);
});

test('a loop body reads what only a later iteration binds', () => {
  assert.deepEqual(
    reads('for i in r:\n    if i:\n        use(prev)\n    prev = i'),
    ['r', 'use', 'prev']
  );
});

test('try and except both binding a name bind it certainly', () => {
  assert.deepEqual(
    reads('try:\n    x = f()\nexcept E:\n    x = None\nprint(x)'),
    ['f', 'E']
  );
  assert.deepEqual(reads('try:\n    x = f()\nexcept E:\n    pass\nprint(x)'), [
    'f',
    'E',
    'x'
  ]);
});

test('a try without handlers binds what its body binds; finally runs after', () => {
  assert.deepEqual(
    reads('try:\n    h = connect()\nfinally:\n    done = True\nprint(done, h)'),
    ['connect']
  );
});

test('a builtin the cell rebinds is its own afterwards', () => {
  assert.deepEqual(effects('list = [1]\nlist.append(2)'), {
    reads: [],
    writes: ['list mutated', 'list assigned', 'list mutated']
  });
});

// ---- assignment -------------------------------------------------------------

test('tuple and star unpacking bind every target', () => {
  assert.deepEqual(effects('a, (b, *c) = t\nfirst, *rest = items'), {
    reads: ['t', 'items'],
    writes: [
      'a assigned',
      'b assigned',
      'c assigned',
      'first assigned',
      'rest assigned'
    ]
  });
});

test('chained assignment binds each target', () => {
  assert.deepEqual(effects('a = b = f()'), {
    reads: ['f'],
    writes: ['a assigned', 'b assigned']
  });
});

test('list targets bind like tuples', () => {
  assert.deepEqual(writes('[a, b] = pair'), ['a assigned', 'b assigned']);
});

test('annotated assignment binds; a bare annotation only reads its type', () => {
  assert.deepEqual(effects('x: int = 3\ny: Config'), {
    reads: ['Config'],
    writes: ['x assigned']
  });
});

test('augmented assignment reads and writes the name', () => {
  assert.deepEqual(effects('x += 1'), {
    reads: ['x'],
    writes: ['x assigned']
  });
  assert.deepEqual(effects('total = 0\ntotal += step'), {
    reads: ['step'],
    writes: ['total assigned']
  });
});

test('augmented assignment of an item or attribute mutates the base', () => {
  assert.deepEqual(effects('x[0] += 1\ncounts.n -= k'), {
    reads: ['x', 'counts', 'k'],
    writes: ['x mutated', 'counts mutated']
  });
});

test('for targets are assigned from the iterable', () => {
  const cell = analysis('for i, (k, v) in enumerate(d.items()):\n    pass');
  assert.deepEqual(cell.reads, ['d']);
  assert.deepEqual(
    cell.writes.map(w => w.name),
    ['i', 'k', 'v']
  );
  assert.deepEqual(cell.assignments, [
    { target: 'i', sources: ['d'] },
    { target: 'k', sources: ['d'] },
    { target: 'v', sources: ['d'] }
  ]);
});

test('with … as binds the name; the context expression is read', () => {
  assert.deepEqual(effects('with lock, open(p) as fh:\n    data = fh.read()'), {
    reads: ['lock', 'p'],
    writes: ['fh mutated?', 'fh assigned', 'fh mutated?', 'data assigned']
  });
});

test('the walrus binds in the enclosing scope and reads its value', () => {
  assert.deepEqual(effects('if (n := len(a)) > 3:\n    print(n)'), {
    reads: ['a'],
    writes: ['n assigned']
  });
});

test('del deletes a name and mutates an item base', () => {
  assert.deepEqual(effects('del x, y[0], z.attr'), {
    reads: ['y', 'z'],
    writes: ['x deleted', 'y mutated', 'z mutated']
  });
});

test('the last rebinding wins; a change in place beside it is listed around it', () => {
  assert.deepEqual(writes('x = 1\ndel x'), ['x deleted']);
  assert.deepEqual(writes('del x\nx = 1'), ['x assigned']);
  // Either object may be shared with another name.
  const around = ['x mutated', 'x assigned', 'x mutated'];
  assert.deepEqual(writes('x.append(1)\nx = []'), around);
  assert.deepEqual(writes('x = []\nx.append(1)'), around);
  assert.deepEqual(writes('x = a\nx.append(1)'), around);
  assert.deepEqual(writes('x.append(1)\ndel x'), ['x mutated', 'x deleted']);
  assert.deepEqual(writes('import x\nx = 2'), ['x assigned']);
  assert.deepEqual(writes('x.frob()\nx.append(1)'), ['x mutated']);
});

test('except … as binds the name and Python deletes it after the handler', () => {
  assert.deepEqual(
    effects('try:\n    go()\nexcept ValueError as e:\n    log(e)'),
    {
      reads: ['go', 'log'],
      writes: ['e deleted']
    }
  );
});

test('match captures bind; class patterns and value patterns read', () => {
  assert.deepEqual(
    effects(
      'match cmd:\n    case Point(x=0, y=yy) | [a, *rest] as q if q:\n        pass\n    case Color.RED:\n        pass\n    case {"k": v, **kw}:\n        pass\n    case _:\n        pass'
    ),
    {
      reads: ['cmd', 'Point', 'Color'],
      writes: [
        'yy assigned',
        'a assigned',
        'rest assigned',
        'q assigned',
        'v assigned',
        'kw assigned'
      ]
    }
  );
});

test('a type alias binds its name', () => {
  assert.deepEqual(effects('type Vector = list[Scalar]'), {
    reads: ['Scalar'],
    writes: ['Vector assigned']
  });
});

// ---- imports ----------------------------------------------------------------

test('import a.b binds a; import a.b as c binds c', () => {
  assert.deepEqual(writes('import os.path\nimport numpy.linalg as la, sys'), [
    'os imported',
    'la imported',
    'sys imported'
  ]);
});

test('from imports bind the names or their aliases, relative ones too', () => {
  assert.deepEqual(
    writes(
      'from m import x as y, z\nfrom . import sibling\nfrom ..pkg import (a,\n    b as c)'
    ),
    ['y imported', 'z imported', 'sibling imported', 'a imported', 'c imported']
  );
});

test('from m import * binds nothing listable: a wildcard', () => {
  const cell = analysis('from helpers import *\nfrom .local import *');
  assert.deepEqual(cell.writes, []);
  assert.deepEqual(cell.wildcards, [
    { via: 'import *', source: 'helpers' },
    { via: 'import *', source: '.local' }
  ]);
});

// ---- functions and classes --------------------------------------------------

test('def writes the name; decorators, defaults and annotations are read', () => {
  assert.deepEqual(
    effects(
      '@register(app)\ndef f(a, b=default, *args, c: T = k, **kw) -> R:\n    return a + g'
    ),
    {
      reads: ['register', 'app', 'default', 'T', 'k', 'R'],
      writes: ['f defined']
    }
  );
});

test('a function body is not run: its free globals become its reads', () => {
  const f = functionNamed(
    '@register(app)\ndef f(a, b=default, *args, c: T = k, **kw) -> R:\n    return a + g + len(args)',
    'f'
  );
  assert.deepEqual(f, {
    name: 'f',
    reads: ['g'],
    writes: [],
    mutatedParams: [],
    params: ['a', 'b', '*args', 'c', '**kw'],
    calls: [],
    files: []
  });
});

test('a name bound anywhere in a function is local everywhere in it', () => {
  assert.deepEqual(
    functionNamed('def f():\n    print(x)\n    x = 1', 'f').reads,
    []
  );
  assert.deepEqual(
    functionNamed('def f():\n    for i in r:\n        y = i\n    return y', 'f')
      .reads,
    ['r']
  );
  assert.deepEqual(
    functionNamed('def f():\n    import json\n    return json.dumps(d)', 'f')
      .reads,
    ['d']
  );
});

test('global x; x = … in a function rebinds the global', () => {
  const f = functionNamed(
    'def bump():\n    global counter, seen\n    counter += 1\n    del seen',
    'bump'
  );
  assert.deepEqual(f.reads, ['counter']);
  assert.deepEqual(f.writes, ['counter assigned', 'seen deleted']);
});

test('a function mutating a global reports it', () => {
  const f = functionNamed(
    'def log(v):\n    history.append(v)\n    cfg["last"] = v',
    'log'
  );
  assert.deepEqual(f.reads, ['history', 'cfg']);
  assert.deepEqual(f.writes, ['history mutated', 'cfg mutated']);
  assert.deepEqual(f.mutatedParams, []);
});

test('mutated parameters are reported by position', () => {
  const f = functionNamed(
    'def norm(df, cols, scale):\n    df[cols] = df[cols] / scale\n    cols.sort()\n    return scale * 2',
    'norm'
  );
  assert.deepEqual(f.mutatedParams, [0, 1]);
  assert.deepEqual(f.reads, []);
});

test('a parameter rebound before the mutation no longer holds the caller object', () => {
  assert.deepEqual(
    functionNamed(
      'def f(x):\n    x = list(x)\n    x.append(1)\n    return x',
      'f'
    ).mutatedParams,
    []
  );
});

test('every way of changing a parameter in place counts', () => {
  assert.deepEqual(
    functionNamed(
      'def f(a, b, c, d, e):\n    a.n += 1\n    del b[0]\n    setattr(c, "x", 1)\n    d.w.data.zero_()\n    return e.copy()',
      'f'
    ).mutatedParams,
    [0, 1, 2, 3]
  );
});

test('library functions that mutate their argument mutate the parameter', () => {
  assert.deepEqual(
    functionNamed(
      'def f(xs, h):\n    random.shuffle(xs)\n    heapq.heappush(h, 1)',
      'f'
    ).mutatedParams,
    [0, 1]
  );
});

test('a nested function mutating a parameter through its closure counts', () => {
  const outer = functionNamed(
    'def outer(a):\n    def inner():\n        a.append(k)\n    inner()\n    return a',
    'outer'
  );
  assert.deepEqual(outer.mutatedParams, [0]);
  assert.deepEqual(outer.reads, ['k']);
});

test('nonlocal keeps a name in the enclosing function', () => {
  const f = functionNamed(
    'def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n    g()\n    return n',
    'f'
  );
  assert.deepEqual(f.reads, []);
  assert.deepEqual(f.writes, []);
});

test('calls in a function body to globals are its call sites', () => {
  const f = functionNamed(
    'def step(batch):\n    train(model, batch, opt=optimizer)',
    'step'
  );
  assert.deepEqual(f.calls, [
    {
      callee: 'train',
      args: ['model', null],
      keywords: [{ name: 'opt', value: 'optimizer' }]
    }
  ]);
  assert.deepEqual(f.reads, ['train', 'model', 'optimizer']);
});

test('calls between functions of one cell are folded, in any order', () => {
  const cell = analysis(
    'def step():\n    add(state)\n    helper(1)\ndef add(d):\n    d["k"] = 1\ndef helper(n):\n    return n + offset'
  );
  const step = cell.functions.find(f => f.name === 'step');
  assert.deepEqual(step?.reads, ['add', 'state', 'helper', 'offset']);
  assert.deepEqual(step?.writes, [{ name: 'state', kind: 'mutated' }]);
});

test('a parameter passed on to a mutating function of the cell is mutated', () => {
  const cell = analysis(
    'def fill(d):\n    d.update(x=1)\ndef prepare(cfg, other):\n    fill(cfg)'
  );
  assert.deepEqual(
    cell.functions.find(f => f.name === 'prepare')?.mutatedParams,
    [0]
  );
});

test('recursive functions fold without looping', () => {
  const f = functionNamed(
    'def walk(n):\n    seen.add(n)\n    walk(n - 1)',
    'walk'
  );
  assert.deepEqual(f.writes, ['seen mutated']);
});

test('a function of the cell brings its effects where the cell uses it', () => {
  assert.deepEqual(effects('def f():\n    return k\nf()'), {
    reads: ['k'],
    writes: ['f defined']
  });
  assert.deepEqual(reads('def f():\n    return k\nk = 1\nf()'), []);
  assert.deepEqual(effects('def reset():\n    global n\n    n = 0\nreset()'), {
    reads: [],
    writes: ['reset defined', 'n assigned']
  });
});

test('calling a function of the cell mutates what is passed to a mutated parameter', () => {
  assert.deepEqual(
    effects('def add(xs):\n    xs.append(1)\nadd(data)\nadd(xs=other)'),
    {
      reads: ['data', 'other'],
      writes: ['add defined', 'data mutated', 'other mutated']
    }
  );
});

test('a class: bases and body are read now, methods become its effects', () => {
  const source =
    'class Net(Base, metaclass=Meta):\n    size = SIZE\n    double = size * 2\n    def __init__(self, layers, cfg):\n        cfg.update(x=1)\n        self.layers = layers\n    def forward(self, x):\n        return act(x, size)';
  assert.deepEqual(effects(source), {
    reads: ['Base', 'Meta', 'SIZE'],
    writes: ['Net defined']
  });
  assert.deepEqual(functionNamed(source, 'Net'), {
    name: 'Net',
    reads: ['act', 'size'],
    writes: [],
    mutatedParams: [1],
    params: ['layers', 'cfg'],
    calls: [{ callee: 'act', args: [null, 'size'], keywords: [] }],
    files: []
  });
});

test('a class body mutating a global mutates it when the cell runs', () => {
  assert.deepEqual(
    effects('class C:\n    registry.append(1)\n    x = 1\n    x.bit_length()'),
    {
      reads: ['registry'],
      writes: ['C defined', 'registry mutated']
    }
  );
});

test('lambda bound to a name is a function; its body is not run', () => {
  const source = 'f = lambda x, y=d: x + k';
  assert.deepEqual(effects(source), { reads: ['d'], writes: ['f assigned'] });
  assert.deepEqual(functionNamed(source, 'f'), {
    name: 'f',
    reads: ['k'],
    writes: [],
    mutatedParams: [],
    params: ['x', 'y'],
    calls: [],
    files: []
  });
});

test('an unnamed lambda is taken to run now: its free globals are reads', () => {
  assert.deepEqual(reads('s = sorted(xs, key=lambda v: v[col])'), [
    'xs',
    'col'
  ]);
  assert.deepEqual(reads('df.apply(lambda row: row.x * w, axis=1)'), [
    'df',
    'w'
  ]);
});

test('a lambda mutating its parameter reports it', () => {
  assert.deepEqual(
    functionNamed('push = lambda q, v: q.append(v)', 'push').mutatedParams,
    [0]
  );
});

test('rebinding a function name drops its effects', () => {
  assert.deepEqual(
    analysis('def f():\n    return k\nf = 3').functions.map(f => f.name),
    []
  );
});

// ---- comprehensions ---------------------------------------------------------

test('comprehension loop variables are local; the rest is read', () => {
  assert.deepEqual(effects('ys = [x * k for x in xs if x > t]'), {
    reads: ['k', 'xs', 't'],
    writes: ['ys assigned']
  });
});

test('comprehension variables do not leak', () => {
  assert.deepEqual(reads('[i for i in r]\nprint(i)'), ['r', 'i']);
});

test('nested comprehension clauses see the earlier targets', () => {
  assert.deepEqual(
    reads('pairs = [(a, b) for a in A for b in a if b in allowed]'),
    ['A', 'allowed']
  );
});

test('dict, set and generator comprehensions are scopes too', () => {
  assert.deepEqual(
    reads(
      'd = {k: v * f for k, v in items}\ns = {x for x in xs}\nt = sum(v for v in d.values())'
    ),
    ['f', 'items', 'xs']
  );
});

test('in a class body only the first iterable sees class variables', () => {
  assert.deepEqual(
    reads('class C:\n    xs = [1]\n    ys = [x for x in xs]'),
    []
  );
  assert.deepEqual(
    reads('class C:\n    n = 2\n    ys = [n for x in range(3)]'),
    ['n']
  );
});

test('a walrus in a comprehension binds in the enclosing scope', () => {
  assert.deepEqual(effects('[y := f(x) for x in xs]'), {
    reads: ['f', 'xs'],
    writes: ['y assigned']
  });
});

test('a comprehension in a function resolves against the function', () => {
  assert.deepEqual(
    functionNamed(
      'def f(scale):\n    return [v * scale * g for v in values]',
      'f'
    ).reads,
    ['g', 'values']
  );
});

// ---- attribute and item writes, method calls ---------------------------------

test('attribute and item assignment mutate (and read) the base name', () => {
  assert.deepEqual(effects('m.w = v\ncfg["lr"] = 0.1\nx[0].a = y[i]'), {
    reads: ['m', 'v', 'cfg', 'x', 'y', 'i'],
    writes: ['m mutated', 'cfg mutated', 'x mutated']
  });
});

test('known mutating methods mutate certainly, unknown ones uncertainly', () => {
  assert.deepEqual(writes('data.append(1)\nx.a.update(b)\nobj.frobnicate()'), [
    'data mutated',
    'x mutated',
    'obj mutated?'
  ]);
});

test('known read-only methods do not mutate', () => {
  assert.deepEqual(
    effects(
      'n = df.head()\ns = name.lower().strip()\nm = t.detach().cpu().numpy()\nk = cfg.get("a")'
    ),
    {
      reads: ['df', 'name', 't', 'cfg'],
      writes: ['n assigned', 's assigned', 'm assigned', 'k assigned']
    }
  );
});

test('methods on modules do not mutate them, imported in the cell or by convention', () => {
  assert.deepEqual(effects('np.random.seed(0)\nplt.plot(x)'), {
    reads: ['np', 'plt', 'x'],
    writes: []
  });
  assert.deepEqual(writes('import mylib\nmylib.run(x)'), ['mylib imported']);
});

test('model.to(dev) as a statement moves in place; t.to(dev) assigned does not', () => {
  assert.deepEqual(writes('model.to(device)'), ['model mutated']);
  assert.deepEqual(writes('y = t.to(device)'), ['y assigned']);
  assert.deepEqual(writes('model.cuda()\nh = x.float()'), [
    'model mutated',
    'h assigned'
  ]);
});

test('eval() and train() switch a module mode: a mutation', () => {
  assert.deepEqual(writes('model.eval()\nnet.train()'), [
    'model mutated',
    'net mutated'
  ]);
});

test('pandas inplace=True mutates; without it the method returns a copy', () => {
  assert.deepEqual(writes('df.dropna(inplace=True)\nclean = raw.dropna()'), [
    'df mutated',
    'clean assigned'
  ]);
});

test('torch in-place methods and init functions mutate the base', () => {
  assert.deepEqual(
    writes(
      'layer.weight.data.normal_(0, 1)\nnn.init.zeros_(head.bias)\ntorch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)'
    ),
    ['layer mutated', 'head mutated', 'model mutated']
  );
});

test('library functions known to mutate their argument mutate it', () => {
  assert.deepEqual(
    writes(
      'random.shuffle(items)\nnp.random.shuffle(arr)\nheapq.heapify(h)\nsetattr(obj, "a", 1)'
    ),
    ['items mutated', 'arr mutated', 'h mutated', 'obj mutated']
  );
  assert.deepEqual(writes('from random import shuffle as sh\nsh(items)'), [
    'sh imported',
    'items mutated'
  ]);
});

test('out= is written into', () => {
  assert.deepEqual(writes('np.add(a, b, out=c)'), ['c mutated']);
});

test('a method on a fresh value mutates no global', () => {
  assert.deepEqual(effects('get_model().train()\nx.copy().append(1)'), {
    reads: ['get_model', 'x'],
    writes: []
  });
});

test('module attributes set are weak evidence of a mutation', () => {
  assert.deepEqual(
    writes('pd.options.display.max_rows = 10\nos.environ["X"] = "1"'),
    ['pd mutated?', 'os mutated?']
  );
});

// ---- call sites -----------------------------------------------------------------

test('a call to a global lists the globals passed, by position and keyword', () => {
  assert.deepEqual(analysis('f(a, b.c, 1, key=d, other=2)').calls, [
    {
      callee: 'f',
      args: ['a', 'b', null],
      keywords: [{ name: 'key', value: 'd' }]
    }
  ]);
});

test('call arguments: items and method results pass their base, calls do not', () => {
  assert.deepEqual(analysis('f(x[0], model.parameters(), g(y), *rest)').calls, [
    { callee: 'f', args: ['x', 'model', null], keywords: [] },
    { callee: 'g', args: ['y'], keywords: [] }
  ]);
});

test('builtins are not call sites unless rebound; methods never are', () => {
  assert.deepEqual(
    analysis('print(x)\nobj.method(x)\nlen(y)\nn = sum(p.numel() for p in ps)')
      .calls,
    []
  );
  assert.deepEqual(analysis('def len(x):\n    return 0\nlen(y)').calls, [
    { callee: 'len', args: ['y'], keywords: [] }
  ]);
});

test('a copy passed to a mutating function of the cell leaves the original alone', () => {
  const source = 'def fill(df):\n    df["k"] = 0\n';
  assert.deepEqual(writes(`${source}fill(raw.copy())`), ['fill defined']);
  assert.deepEqual(writes(`${source}fill(raw)`), [
    'fill defined',
    'raw mutated'
  ]);
  assert.deepEqual(writes(`${source}fill(raw.values())`), [
    'fill defined',
    'raw mutated'
  ]);
});

test('calls inside loops and comprehensions of the cell are its call sites', () => {
  assert.deepEqual(
    analysis(
      'for b in batches:\n    step(model, b)\n[score(m) for m in models]'
    ).calls,
    [
      // `b` is a global: a loop of the cell binds module names.
      { callee: 'step', args: ['model', 'b'], keywords: [] },
      { callee: 'score', args: [null], keywords: [] }
    ]
  );
});

// ---- assignments (alias tracking) -------------------------------------------

test('assignments record the globals a value came from', () => {
  assert.deepEqual(
    analysis('opt = SGD(model.parameters(), lr=lr)\nb = a\nx = x + 1')
      .assignments,
    [
      { target: 'opt', sources: ['SGD', 'model', 'lr'] },
      { target: 'b', sources: ['a'] }
    ]
  );
});

test('assignment sources leave out modules', () => {
  assert.deepEqual(
    analysis('import pandas as pd\ndf = pd.read_csv(path)').assignments,
    [{ target: 'df', sources: ['path'] }]
  );
});

test('unpacking assigns every target from every source', () => {
  assert.deepEqual(analysis('a, b = c, d').assignments, [
    { target: 'a', sources: ['c', 'd'] },
    { target: 'b', sources: ['c', 'd'] }
  ]);
});

test('item assignment makes the container hold the value', () => {
  assert.deepEqual(analysis('cache["m"] = model').assignments, [
    { target: 'cache', sources: ['model'] }
  ]);
});
