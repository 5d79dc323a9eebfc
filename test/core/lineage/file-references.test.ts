import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysis, files, functionNamed } from './analysis-helpers.js';

test('open: the mode decides read or write; + and appending mean both', () => {
  assert.deepEqual(
    files(
      "open('a.txt')\nopen('b.txt', 'w')\nopen('c.txt', 'r+')\nopen('d.log', mode='ab')\nopen(file='e.bin', mode='rb')\nopen('f.txt', 'a+')"
    ),
    [
      'a.txt read open',
      'b.txt write open',
      'c.txt read open',
      'c.txt write open',
      'd.log read open',
      'd.log write open',
      'e.bin read open',
      'f.txt read open',
      'f.txt write open'
    ]
  );
});

test('a mode the analysis cannot read counts as both', () => {
  assert.deepEqual(files("open('x.txt', mode)"), [
    'x.txt read open',
    'x.txt write open'
  ]);
});

test('with open(…) as fh names the file', () => {
  assert.deepEqual(files("with open('out.txt', 'w') as fh:\n    fh.write(s)"), [
    'out.txt write open'
  ]);
});

test('json.load(open(…)) is found through open', () => {
  assert.deepEqual(files("cfg = json.load(open('cfg.json'))"), [
    'cfg.json read open'
  ]);
});

test('pathlib paths: read_text, write_bytes, open, joined with /', () => {
  assert.deepEqual(
    files(
      "from pathlib import Path\ntext = Path('notes.md').read_text()\n(Path('out') / 'x.bin').write_bytes(b)\nwith Path('log.txt').open('a') as f:\n    pass"
    ),
    [
      'notes.md read pathlib.Path.read_text',
      'out/x.bin write pathlib.Path.write_bytes',
      'log.txt read pathlib.Path.open',
      'log.txt write pathlib.Path.open'
    ]
  );
});

test('pandas readers and writers, import aliases resolved', () => {
  assert.deepEqual(
    files(
      "import pandas as pd\nfrom pandas import read_parquet as rp\ndf = pd.read_csv('train.csv')\nt = rp(path='t.pq')\ndf.to_csv('out.csv', index=False)\ndf.to_parquet(path='out.pq')"
    ),
    [
      'train.csv read pandas.read_csv',
      't.pq read pandas.read_parquet',
      'out.csv write .to_csv',
      'out.pq write .to_parquet'
    ]
  );
});

test('pd and np are known by convention when imported in another cell', () => {
  assert.deepEqual(files("x = pd.read_json('a.json')\nnp.save('b.npy', x)"), [
    'a.json read pandas.read_json',
    'b.npy write numpy.save'
  ]);
});

test('pandas.read_sql takes SQL, not a path', () => {
  assert.deepEqual(files("pd.read_sql('SELECT 1', con)"), []);
});

test('numpy loaders and savers', () => {
  assert.deepEqual(
    files(
      "a = np.load('a.npy')\nb = np.loadtxt('b.txt')\nnp.savez('c.npz', a=a)\nnp.savetxt('d.csv', b)\na.tofile('e.bin')\nnp.genfromtxt(fname='f.csv')"
    ),
    [
      'a.npy read numpy.load',
      'b.txt read numpy.loadtxt',
      'c.npz write numpy.savez',
      'd.csv write numpy.savetxt',
      'e.bin write .tofile',
      'f.csv read numpy.genfromtxt'
    ]
  );
});

test('torch.save writes its second argument, torch.load reads its first', () => {
  assert.deepEqual(
    files(
      "torch.save(model.state_dict(), 'm.pt')\nstate = torch.load('m.pt', map_location='cpu')"
    ),
    ['m.pt write torch.save', 'm.pt read torch.load']
  );
});

test('figures, joblib and shutil', () => {
  assert.deepEqual(
    files(
      "plt.savefig('fig.png')\nfig.savefig('fig2.pdf')\njoblib.dump(clf, 'clf.joblib')\nshutil.copy('a.txt', 'b.txt')"
    ),
    [
      'fig.png write matplotlib.pyplot.savefig',
      'fig2.pdf write .savefig',
      'clf.joblib write joblib.dump',
      'a.txt read shutil.copy',
      'b.txt write shutil.copy'
    ]
  );
});

test('a string bound earlier in the cell is followed into the call', () => {
  assert.deepEqual(
    files(
      "path = 'data.csv'\ndf = pd.read_csv(path)\nroot = Path('runs')\n(root / 'best.pt').touch()\nname = os.path.join('out', 'r.json')\nopen(name, 'w')"
    ),
    [
      'data.csv read pandas.read_csv',
      'runs/best.pt write pathlib.Path.touch',
      'out/r.json write open'
    ]
  );
});

test('a rebound name is no longer a known path', () => {
  assert.deepEqual(files("path = 'a.csv'\npath = pick()\nopen(path)"), []);
});

test('a path bound in a branch is not known after it', () => {
  assert.deepEqual(
    files("if c:\n    p = 'a.csv'\nelse:\n    p = 'b.csv'\nopen(p)"),
    []
  );
  assert.deepEqual(
    files("for i in r:\n    p = 'a.csv'\n    open(p)\nopen(p, 'w')"),
    ['a.csv read open']
  );
});

test('f-strings and computed paths name no file; their names are read', () => {
  const cell = analysis("open(f'{d}/x.txt')\nopen(base + '.csv')");
  assert.deepEqual(cell.files, []);
  assert.deepEqual(cell.reads, ['d', 'base']);
});

test('files named in a function body are opened when it runs', () => {
  const source = "def load():\n    return pd.read_csv('a.csv')";
  assert.deepEqual(files(source), []);
  assert.deepEqual(functionNamed(source, 'load').files, [
    { path: 'a.csv', mode: 'read', via: 'pandas.read_csv' }
  ]);
  assert.deepEqual(files(`${source}\ndf = load()`), [
    'a.csv read pandas.read_csv'
  ]);
});

test('a rebound open is not the builtin', () => {
  assert.deepEqual(files("open = lambda p: p\nopen('x.txt')"), []);
});

test('the same file and mode are listed once', () => {
  assert.deepEqual(files("open('a')\nopen('a', 'r')\nopen('a', 'w')"), [
    'a read open',
    'a write open'
  ]);
});

test('string literal forms: raw, escaped, triple-quoted, bytes, concatenated', () => {
  assert.deepEqual(
    files(
      "open(r'C:\\data\\x.csv')\nopen('tab\\there')\nopen(\"\"\"notes.txt\"\"\")\nopen(b'raw.bin')\nopen('runs/' 'a.log')"
    ),
    [
      'C:\\data\\x.csv read open',
      'tab\there read open',
      'notes.txt read open',
      'raw.bin read open',
      'runs/a.log read open'
    ]
  );
});
