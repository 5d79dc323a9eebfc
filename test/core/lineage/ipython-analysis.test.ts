import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysis, effects, files } from './analysis-helpers.js';

// ---- line magics --------------------------------------------------------------

test('%time runs its statement in the namespace: reads and writes count', () => {
  const cell = analysis('%time y = f(x)');
  assert.deepEqual(
    { reads: cell.reads, writes: cell.writes, magics: cell.magics },
    {
      reads: ['f', 'x'],
      writes: [{ name: 'y', kind: 'assigned' }],
      magics: ['time']
    }
  );
});

test('%timeit runs in a scope of its own: reads count, assignments do not', () => {
  const cell = analysis('%timeit -n 10 -r3 y = f(x)');
  assert.deepEqual(
    { reads: cell.reads, writes: cell.writes, magics: cell.magics },
    { reads: ['f', 'x'], writes: [], magics: ['timeit'] }
  );
});

test('%timeit still mutates the globals it changes in place', () => {
  assert.deepEqual(effects('%timeit data.sort()'), {
    reads: ['data'],
    writes: ['data mutated']
  });
});

test('x = %timeit -o stmt binds x; the statement runs apart', () => {
  assert.deepEqual(effects('res = %timeit -o f(a)'), {
    reads: ['f', 'a'],
    writes: ['res assigned']
  });
});

test('x = %time expr binds x to the expression', () => {
  const cell = analysis('y = %time g(z)');
  assert.deepEqual(cell.reads, ['g', 'z']);
  assert.deepEqual(cell.assignments, [{ target: 'y', sources: ['g', 'z'] }]);
});

test('a magic inside an indented block keeps the block valid', () => {
  const cell = analysis('for i in r:\n    %time f(i)\n    !echo {i}\nprint(i)');
  assert.equal(cell.parsed, true);
  assert.deepEqual(cell.reads, ['r', 'f', 'i']);
  assert.deepEqual(cell.magics, ['time', '!']);
});

test('%env, %matplotlib, %load_ext, %autoreload record only their name', () => {
  const cell = analysis(
    '%env CUDA_VISIBLE_DEVICES=0\n%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport numpy as np'
  );
  assert.deepEqual(cell.magics, [
    'env',
    'matplotlib',
    'load_ext',
    'autoreload'
  ]);
  assert.deepEqual(cell.reads, []);
  assert.deepEqual(cell.writes, [{ name: 'np', kind: 'imported' }]);
  assert.equal(cell.parsed, true);
});

test('%pip install -r names the requirements file', () => {
  const cell = analysis(
    '%pip install -r requirements.txt\n%conda env create -f env.yml'
  );
  assert.deepEqual(cell.magics, ['pip', 'conda']);
  assert.deepEqual(
    files('%pip install -r requirements.txt\n%conda env create -f env.yml'),
    ['requirements.txt read %pip', 'env.yml read %conda']
  );
});

test('%run reads the script and binds names that cannot be listed', () => {
  const cell = analysis('%run -i train.py --epochs 3\n%run -m pkg.tool');
  assert.deepEqual(cell.files, [
    { path: 'train.py', mode: 'read', via: '%run' }
  ]);
  assert.deepEqual(cell.wildcards, [
    { via: '%run', source: 'train.py' },
    { via: '%run', source: 'pkg.tool' }
  ]);
});

test('line magics read what IPython expands in their arguments', () => {
  assert.deepEqual(analysis('%cd {workdir}\n%env DATA=$data_dir').reads, [
    'workdir',
    'data_dir'
  ]);
});

test('%store reads, %store -r binds, %xdel deletes', () => {
  assert.deepEqual(effects('%store model\n%store -r cfg\n%xdel big'), {
    reads: ['model'],
    writes: ['cfg assigned', 'big deleted']
  });
});

test('help syntax reads the object', () => {
  const cell = analysis('df?\n?np.load\nmodel.fit??\nnp.*load*?');
  assert.deepEqual(cell.reads, ['df', 'np', 'model']);
  assert.deepEqual(cell.magics, ['pinfo', 'pinfo2', 'psearch']);
  assert.equal(cell.parsed, true);
});

test('%prun and %%prun run in the namespace and may write the profile', () => {
  const line = analysis('%prun -s cumulative -D out.prof train(model)');
  assert.deepEqual(line.reads, ['train', 'model']);
  assert.deepEqual(files('%prun -s cumulative -D out.prof train(model)'), [
    'out.prof write %prun'
  ]);
  assert.deepEqual(files('%%prun -q -T stats.txt\nfit(model)'), [
    'stats.txt write %prun'
  ]);
  assert.deepEqual(analysis('%%prun -q -T stats.txt\nfit(model)').reads, [
    'fit',
    'model'
  ]);
});

test('a bare ? is help, not a syntax error', () => {
  const cell = analysis('?');
  assert.deepEqual([cell.parsed, cell.magics], [true, ['usage']]);
});

test('an unknown magic is recorded and does not break the cell', () => {
  const cell = analysis('%frobnicate --hard x\ny = 1');
  assert.deepEqual(cell.magics, ['frobnicate']);
  assert.equal(cell.parsed, true);
  assert.deepEqual(cell.writes, [{ name: 'y', kind: 'assigned' }]);
});

test('% and ! inside a string or brackets are Python, not IPython', () => {
  const cell = analysis(
    's = """\n%d items\n!not a shell\n"""\nt = (a\n% b)\nu = 5 \\\n% 3'
  );
  assert.deepEqual(cell.magics, []);
  assert.equal(cell.parsed, true);
});

test('line numbers survive the translation', () => {
  assert.deepEqual(analysis('%time x = 1\n!ls\ny = (\n').syntaxError?.line, 3);
});

// ---- shell -----------------------------------------------------------------------

test('!cmd reads its {expr} and $name expansions', () => {
  const cell = analysis(
    '!wget -O data.zip {base_url}/data.zip\n!echo $run.name $$HOME'
  );
  assert.deepEqual(cell.reads, ['base_url', 'run']);
  assert.deepEqual(cell.magics, ['!']);
});

test('$ inside single quotes and braces that are not Python are left alone', () => {
  assert.deepEqual(
    analysis("!awk '{print $1}' data.txt\n!echo '$secret'").reads,
    []
  );
});

test('x = !cmd binds x from the expansions', () => {
  const cell = analysis('files = !ls $folder');
  assert.deepEqual(cell.reads, ['folder']);
  assert.deepEqual(cell.writes, [{ name: 'files', kind: 'assigned' }]);
  assert.deepEqual(cell.assignments, [
    { target: 'files', sources: ['folder'] }
  ]);
});

test('shell commands name the files they read and write', () => {
  assert.deepEqual(
    files(
      '!cp a.txt b.txt\n!mv old.csv new.csv\n!cat data.csv | head -n 5 > first.txt\n!echo hi >> log.txt\n!wget -O data.zip http://x/y\n!curl -o page.html https://x\n!touch done.flag\n!rm -f tmp.bin'
    ),
    [
      'a.txt read !cp',
      'b.txt write !cp',
      'old.csv read !mv',
      'old.csv write !mv',
      'new.csv write !mv',
      'data.csv read !cat',
      'first.txt write !head',
      'log.txt write !echo',
      'data.zip write !wget',
      'page.html write !curl',
      'done.flag write !touch',
      'tmp.bin write !rm'
    ]
  );
});

test('shell words the shell or IPython would expand name no file', () => {
  assert.deepEqual(files('!cp {src} $dst\n!cat *.csv\n!ls > "$OUT"'), []);
});

test('more shell commands: tar, unzip, python, grep, sed -i, redirection in', () => {
  assert.deepEqual(
    files(
      '!tar -czf out.tgz results/\n!tar xf in.tar\n!unzip -q data.zip -d data\n!python prep.py --fast\n!grep -c ERROR run.log\n!sed -i s/a/b/ cfg.ini\n!sort < raw.txt'
    ),
    [
      'out.tgz write !tar',
      'results/ read !tar',
      'in.tar read !tar',
      'data.zip read !unzip',
      'prep.py read !python',
      'run.log read !grep',
      'cfg.ini read !sed',
      'cfg.ini write !sed',
      'raw.txt read !sort'
    ]
  );
});

// ---- cell magics -----------------------------------------------------------------

test('%%time and %%capture run the body in the namespace', () => {
  assert.deepEqual(effects('%%time\ny = f(x)'), {
    reads: ['f', 'x'],
    writes: ['y assigned']
  });
  const captured = analysis('%%capture out --no-stderr\nprint(x)\nz = 1');
  assert.deepEqual(captured.magics, ['capture']);
  assert.deepEqual(captured.reads, ['x']);
  assert.deepEqual(
    captured.writes.map(write => write.name),
    ['z']
  );
});

test('%%capture binds its output name', () => {
  assert.deepEqual(effects('%%capture out\nprint(x)'), {
    reads: ['x'],
    writes: ['out assigned']
  });
});

test('%%timeit runs setup and body in a scope of their own', () => {
  assert.deepEqual(
    effects('%%timeit -n 5 setup = g()\ny = h(setup, x)\ny += 1'),
    {
      reads: ['g', 'h', 'x'],
      writes: []
    }
  );
});

test('%%writefile writes the file; its body is not Python', () => {
  const cell = analysis(
    '%%writefile -a src/train.py\nimport os\nx = undefined_thing(\n'
  );
  assert.equal(cell.parsed, true);
  assert.deepEqual(cell.reads, []);
  assert.deepEqual(cell.writes, []);
  assert.deepEqual(cell.files, [
    { path: 'src/train.py', mode: 'write', via: '%%writefile' }
  ]);
  assert.deepEqual(cell.magics, ['writefile']);
});

test('%%bash and %%script bash: shell body, files found, no Python reads', () => {
  const cell = analysis(
    '%%bash --out listing\ncp a.txt b.txt\necho $HOME > log.txt'
  );
  assert.equal(cell.parsed, true);
  assert.deepEqual(cell.reads, []);
  assert.deepEqual(cell.writes, [{ name: 'listing', kind: 'assigned' }]);
  assert.deepEqual(files('%%script bash\ncat in.txt'), ['in.txt read !cat']);
  assert.deepEqual(files('%%script perl\nopen(F, "x.txt")'), []);
});

test('other languages are not analysed', () => {
  const cell = analysis('%%sql\nSELECT * FROM runs WHERE x = 1');
  assert.deepEqual(
    [cell.parsed, cell.reads, cell.writes, cell.magics],
    [true, [], [], ['sql']]
  );
  assert.equal(analysis('%%html\n<b>hi</b>').parsed, true);
});

test('an unknown cell magic keeps a body that parses as Python', () => {
  assert.deepEqual(effects('%%mymagic --opt\nx = y'), {
    reads: ['y'],
    writes: ['x assigned']
  });
  const notPython = analysis('%%mymagic\nSELECT * FROM runs WHERE a = 1');
  assert.deepEqual([notPython.parsed, notPython.reads], [true, []]);
});

test('blank lines before a cell magic are fine', () => {
  assert.deepEqual(analysis('\n\n%%time\nz = w').reads, ['w']);
});
