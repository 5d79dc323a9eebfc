import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkEvent,
  encodeEvent,
  type SessionId
} from '../../../src/core/journal/index.js';
import {
  readHostFacts,
  schedulerFacts
} from '../../../src/agent/sampler/host.js';

test('scheduler facts copy the named job variables and nothing else', () => {
  const env = {
    SLURM_JOB_ID: '123456',
    SLURM_JOB_NAME: 'train',
    SLURM_JOB_PARTITION: 'gpu',
    SLURM_JOB_NODELIST: 'node[041-042]',
    PBS_JOBID: '789.pbs',
    SLURM_JOB_ACCOUNT_TOKEN: 'secret',
    JUPYTERHUB_API_TOKEN: 'secret',
    AWS_SECRET_ACCESS_KEY: 'secret',
    HOME: '/home/ada'
  };
  assert.deepEqual(schedulerFacts(env), {
    slurmJobId: '123456',
    slurmJobName: 'train',
    slurmJobPartition: 'gpu',
    slurmNodelist: 'node[041-042]',
    pbsJobId: '789.pbs'
  });
  assert.equal(schedulerFacts({ HOME: '/home/ada' }), undefined);
  assert.deepEqual(schedulerFacts({ SLURM_JOBID: '7', SLURM_NODELIST: 'n1' }), {
    slurmJobId: '7',
    slurmNodelist: 'n1'
  });
});

test('host facts of this machine form a valid event with no secret in it', async () => {
  const facts = await readHostFacts({
    session: 's1' as SessionId,
    nvidiaSmi: null,
    env: { SLURM_JOB_ID: '42', JUPYTERHUB_API_TOKEN: 'do-not-copy' }
  });
  assert.ok(checkEvent(facts).ok, JSON.stringify(facts));
  assert.equal(facts.platform, process.platform);
  assert.ok(facts.logicalCores >= 1);
  assert.ok(facts.memoryTotalBytes > 0);
  assert.ok(facts.cpuModel.length > 0);
  assert.deepEqual(facts.gpus, []);
  assert.deepEqual(facts.scheduler, { slurmJobId: '42' });
  assert.doesNotMatch(encodeEvent(facts), /do-not-copy/);
});
