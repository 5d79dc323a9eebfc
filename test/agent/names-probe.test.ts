import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareFingerprints,
  parseAnswer
} from '../../src/agent/names-probe.js';

/** What ipykernel sends for the user expression (captured from ipykernel 7.4). */
const REPLY = {
  status: 'ok',
  execution_count: 1,
  user_expressions: {
    nbprov: {
      status: 'ok',
      data: {
        'text/plain':
          '\'[2, {"x": ["int", 140269675931816], "os": ["module", 140269667419696], "\\\\u00dc": ["type", 94767645482112]}]\''
      },
      metadata: {}
    }
  }
};

test('the answer is read from the repr IPython gives, non-ASCII names included', () => {
  const answer = parseAnswer(REPLY);
  assert.equal(answer?.nextCount, 2);
  assert.deepEqual([...(answer?.names.keys() ?? [])], ['x', 'os', 'Ü']);
  assert.deepEqual(answer?.names.get('os'), {
    type: 'module',
    id: 140269667419696
  });
});

test('an answer that is not one is refused, never half-read', () => {
  for (const content of [
    {},
    { user_expressions: { nbprov: { status: 'error', ename: 'NameError' } } },
    {
      user_expressions: {
        nbprov: { status: 'ok', data: { 'text/plain': '42' } }
      }
    },
    {
      user_expressions: {
        nbprov: { status: 'ok', data: { 'text/plain': "'{not json'" } }
      }
    },
    {
      user_expressions: {
        nbprov: { status: 'ok', data: { 'text/plain': "'[1]'" } }
      }
    }
  ]) {
    assert.equal(parseAnswer(content), undefined, JSON.stringify(content));
  }
});

test('rebound means another object; the same object changed in place is not', () => {
  const before = new Map([
    ['x', { type: 'int', id: 1 }],
    ['data', { type: 'list', id: 2 }],
    ['gone', { type: 'str', id: 3 }]
  ]);
  const after = new Map([
    ['x', { type: 'float', id: 4 }],
    ['data', { type: 'list', id: 2 }],
    ['new', { type: 'Model', id: 5 }]
  ]);
  assert.deepEqual(compareFingerprints(before, after), {
    rebound: ['x', 'new'],
    types: ['float', 'Model'],
    deleted: ['gone']
  });
});
