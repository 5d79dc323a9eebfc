import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ensureCellIds,
  parseNotebook,
  serializeNotebook,
  splitLines
} from '../../src/agent/runner/notebook-file.js';

/** As nbformat 5.11 writes it (keys sorted, indent 1, lines split). */
const NBFORMAT_WRITTEN = `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "c1",
   "metadata": {},
   "outputs": [
    {
     "data": {
      "application/json": {
       "a": 1
      },
      "text/plain": [
       "line 1\\n",
       "line 2"
      ]
     },
     "execution_count": 1,
     "metadata": {},
     "output_type": "execute_result"
    },
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "x\\n",
      "y\\n"
     ]
    }
   ],
   "source": [
    "print('x')\\n",
    "print('y')"
   ]
  },
  {
   "cell_type": "markdown",
   "id": "m1",
   "metadata": {},
   "source": [
    "# Title"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`;

test('reading joins lines; writing gives back nbformat’s own bytes', () => {
  const nb = parseNotebook(NBFORMAT_WRITTEN);
  assert.equal(nb.cells[0].source, "print('x')\nprint('y')");
  const outputs = nb.cells[0].outputs as { text?: unknown; data?: unknown }[];
  assert.equal(outputs[1].text, 'x\ny\n');
  assert.deepEqual(outputs[0].data, {
    'application/json': { a: 1 },
    'text/plain': 'line 1\nline 2'
  });
  assert.equal(serializeNotebook(nb), NBFORMAT_WRITTEN);
});

test('splitLines keeps line ends like Python’s splitlines(True)', () => {
  assert.deepEqual(splitLines('a\nb'), ['a\n', 'b']);
  assert.deepEqual(splitLines('a\n'), ['a\n']);
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('\n\n'), ['\n', '\n']);
});

test('cells without ids get fresh unique ids and the notebook becomes 4.5', () => {
  const nb = parseNotebook(
    JSON.stringify({
      cells: [
        { cell_type: 'code', source: 'a', metadata: {}, outputs: [] },
        {
          cell_type: 'code',
          id: 'taken',
          source: 'b',
          metadata: {},
          outputs: []
        },
        { cell_type: 'markdown', source: 'c', metadata: {} }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 4
    })
  );
  const ids = ['taken', 'taken', 'fresh1', 'fresh2'];
  assert.equal(
    ensureCellIds(nb, () => ids.shift() as string),
    2
  );
  assert.deepEqual(
    nb.cells.map(c => c.id),
    ['fresh1', 'taken', 'fresh2']
  );
  assert.equal(nb.nbformat_minor, 5);
});

test('default ids look like nbformat’s: eight hex digits', () => {
  const nb = parseNotebook(
    JSON.stringify({
      cells: [{ cell_type: 'raw', source: '', metadata: {} }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    })
  );
  ensureCellIds(nb);
  assert.match(String(nb.cells[0].id), /^[0-9a-f]{8}$/);
});

test('a notebook with ids is left as it is', () => {
  const nb = parseNotebook(NBFORMAT_WRITTEN);
  assert.equal(ensureCellIds(nb), 0);
  assert.deepEqual(
    nb.cells.map(c => c.id),
    ['c1', 'm1']
  );
});

test('what is not a version 4 notebook is refused with what to do', () => {
  assert.throws(() => parseNotebook('{', 'x.ipynb'), /x\.ipynb is not JSON/);
  assert.throws(
    () => parseNotebook('{"nbformat": 3, "worksheets": []}', 'x.ipynb'),
    /not a version 4 notebook.*nbconvert/
  );
});
