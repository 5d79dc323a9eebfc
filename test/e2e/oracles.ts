/**
 * Outside oracles for an exported PROV-JSON file: the Python `prov` package
 * (through test/oracle/prov_oracle.py) and the W3C PROV-JSON JSON Schema.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { validateAgainstW3cSchema } from '../oracle/w3c-schema.js';

const PYTHON = `${process.env.NBPROV_VENV}/bin/python`;

export interface IActivitySummary {
  readonly id: string;
  readonly types: string[];
  readonly startTime?: string;
  readonly endTime?: string;
  readonly status?: string;
  readonly errorName?: string;
  readonly errorMessage?: string;
  /** From the raw document: `nbprov:executionCount`. */
  readonly executionCount?: number;
  /** From the raw document: the plan of its `wasAssociatedWith`. */
  readonly plan?: string;
  /** Resource aggregates, as `prov` read them (agent-recorded executions). */
  readonly cpuSeconds?: number;
  readonly sampleCount?: number;
}

export interface IProvSummary {
  readonly counts: Record<string, number>;
  /** Cell executions and sessions, in the order of their ids' numbers. */
  readonly activities: IActivitySummary[];
}

interface IOracleOutput {
  ok: boolean;
  problems: string[];
  counts: Record<string, number>;
  activities: Array<Record<string, string | string[] | number | null>>;
}

type RawRecord = Record<string, unknown>;

/**
 * Loads the file in `prov` (every record must survive a load and a round
 * trip), validates it against the W3C schema, and summarises it.
 */
export function checkProvJson(file: string): IProvSummary {
  let stdout: string;
  try {
    stdout = execFileSync(PYTHON, ['test/oracle/prov_oracle.py', file], {
      encoding: 'utf8'
    });
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? String(error);
    throw new Error(`the prov package rejects ${file}:\n${out}`);
  }
  const oracle = JSON.parse(stdout) as IOracleOutput;
  if (!oracle.ok) {
    throw new Error(`prov oracle problems: ${oracle.problems.join('; ')}`);
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<
    string,
    Record<string, RawRecord>
  >;
  const schemaErrors = validateAgainstW3cSchema(raw);
  if (schemaErrors.length > 0) {
    throw new Error(`W3C PROV-JSON schema: ${schemaErrors.join('; ')}`);
  }
  const plans = new Map<string, string>();
  for (const relation of Object.values(raw.wasAssociatedWith ?? {})) {
    const activity = relation['prov:activity'];
    const plan = relation['prov:plan'];
    if (typeof activity === 'string' && typeof plan === 'string') {
      plans.set(activity, plan);
    }
  }
  const activities = oracle.activities
    .map(a => {
      const id = a.id as string;
      const count = raw.activity?.[id]?.['nbprov:executionCount'];
      return {
        id,
        types: a.types as string[],
        startTime: (a.startTime as string | null) ?? undefined,
        endTime: (a.endTime as string | null) ?? undefined,
        status: (a.status as string | null) ?? undefined,
        errorName: (a.errorName as string | null) ?? undefined,
        errorMessage: (a.errorMessage as string | null) ?? undefined,
        executionCount: typeof count === 'number' ? count : undefined,
        plan: plans.get(id),
        cpuSeconds: typeof a.cpuSeconds === 'number' ? a.cpuSeconds : undefined,
        sampleCount:
          typeof a.sampleCount === 'number' ? a.sampleCount : undefined
      };
    })
    .sort((a, b) => idNumber(a.id) - idNumber(b.id));
  return { counts: oracle.counts, activities };
}

function idNumber(id: string): number {
  const match = /(\d+)$/.exec(id);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}
