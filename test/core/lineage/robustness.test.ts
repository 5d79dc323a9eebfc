import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzePython,
  MAX_ANALYSED_LENGTH
} from '../../../src/core/lineage/index.js';
import { analysis } from './analysis-helpers.js';

test('a syntax error: parsed is false, the first error line is given', () => {
  const cell = analysis('x = 1\ny = (2 +\nz = 3\n');
  assert.equal(cell.parsed, false);
  assert.equal(cell.syntaxError?.line, 3);
  assert.match(cell.syntaxError?.message ?? '', /invalid syntax/);
});

test('what parses around a syntax error is still reported', () => {
  const cell = analysis('a = b\ndef f(:\n    pass\nc = d\n');
  assert.equal(cell.parsed, false);
  assert.equal(cell.syntaxError?.line, 2);
  assert.deepEqual(cell.reads, ['b', 'd']);
  assert.deepEqual(
    cell.writes.map(write => write.name),
    ['a', 'f', 'c']
  );
});

test('an unfinished cell says so', () => {
  const cell = analysis('for x in xs:');
  assert.equal(cell.parsed, false);
  assert.equal(cell.syntaxError?.line, 1);
});

test('Python 2 print is a syntax error, as in Python 3', () => {
  const cell = analysis('x = 1\nprint x');
  assert.equal(cell.parsed, false);
  assert.deepEqual(cell.syntaxError, {
    line: 2,
    message: "Missing parentheses in call to 'print'. Did you mean print(...)?"
  });
});

test('an empty cell and a comment-only cell are fine', () => {
  for (const source of ['', '\n\n', '# just a note\n']) {
    const cell = analysis(source);
    assert.equal(cell.parsed, true);
    assert.deepEqual(cell.reads, []);
    assert.deepEqual(cell.writes, []);
  }
});

test('CRLF line endings parse and keep line numbers', () => {
  const cell = analysis('%time a = b\r\nc = (\r\n');
  assert.deepEqual(cell.reads, ['b']);
  assert.equal(cell.syntaxError?.line, 2);
});

test('deeply nested expressions do not overflow the stack', () => {
  const depth = 5000;
  const cells = [
    `${'('.repeat(depth)}x${')'.repeat(depth)}`,
    `y = x${' + x'.repeat(20_000)}`,
    `y = ${'['.repeat(depth)}`,
    `y = x${'.a'.repeat(depth)}.append(1)`,
    `y = ${'f('.repeat(depth)}x${')'.repeat(depth)}`,
    `${'not '.repeat(depth)}x`,
    `z = ${'lambda: '.repeat(2000)}k`,
    `w = ${'['.repeat(300)}${'a for a in b]'.repeat(300)}`,
    Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}if c${i}:`).join(
      '\n'
    ) + `\n${' '.repeat(100)}x = q`
  ];
  for (const source of cells) {
    const cell = analyzePython(source);
    assert.ok(Array.isArray(cell.reads), source.slice(0, 20));
    assert.ok(
      !cell.syntaxError?.message.includes('internal'),
      source.slice(0, 20)
    );
  }
  assert.deepEqual(analyzePython(cells[0]).reads, ['x']);
  assert.deepEqual(analyzePython(cells[1]).reads, ['x']);
});

test('a cell over the size limit is reported, not analysed', () => {
  const cell = analyzePython(`x = 1\n${'#'.repeat(MAX_ANALYSED_LENGTH)}`);
  assert.equal(cell.parsed, false);
  assert.match(cell.syntaxError?.message ?? '', /not analysed/);
});

test('a large ordinary cell is analysed', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `v${i} = v${i - 1} + k`);
  const cell = analyzePython(
    `v_1 = 0\n${lines.join('\n').replace('v-1', 'v_1')}`
  );
  assert.equal(cell.parsed, true);
  assert.deepEqual(cell.reads, ['k']);
  assert.equal(cell.writes.length, 5001);
});

/** A deterministic generator of random-ish text, weighted towards Python-looking fragments. */
function* fuzzCells(count: number): Generator<string> {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const fragments = [
    'x',
    ' = ',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ':',
    '\n',
    '    ',
    'def ',
    'class ',
    'lambda ',
    'for ',
    ' in ',
    'if ',
    'else',
    'with ',
    ' as ',
    'import ',
    'from ',
    'global ',
    'nonlocal ',
    'del ',
    'return ',
    'yield ',
    ',',
    '.',
    '*',
    '**',
    '+=',
    ':=',
    '"',
    "'",
    '"""',
    'f"{',
    '#',
    '\\',
    '%',
    '%%',
    '!',
    '?',
    '$',
    '@',
    'try:',
    'except ',
    'match ',
    'case ',
    'async ',
    'await ',
    'not ',
    '1',
    'open(',
    "'w'",
    '\t',
    '\r\n',
    '\u00e9',
    '\u{1F600}',
    '\0'
  ];
  for (let i = 0; i < count; i++) {
    let text = '';
    const length = next(60);
    for (let j = 0; j < length; j++) {
      text +=
        next(4) === 0
          ? String.fromCharCode(next(0x3000))
          : fragments[next(fragments.length)];
    }
    yield text;
  }
}

test('fuzz: random text never throws and always gives a well-formed analysis', () => {
  for (const source of fuzzCells(3000)) {
    const cell = analyzePython(source);
    assert.equal(typeof cell.parsed, 'boolean');
    assert.ok(
      !cell.syntaxError?.message.includes('internal error'),
      `internal error on ${JSON.stringify(source)}: ${cell.syntaxError?.message}`
    );
    for (const write of cell.writes) {
      assert.ok(write.uncertain === undefined || write.kind === 'mutated');
    }
  }
});
