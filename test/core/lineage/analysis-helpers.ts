/**
 * Compact views of a cell analysis, so each test states exactly what a
 * construct reads and writes in one line.
 */
import {
  analyzePython,
  type ICellAnalysis,
  type IFunctionEffects,
  type INameWrite
} from '../../../src/core/lineage/index.js';

/** `x assigned`, `y mutated`, `z mutated?` (uncertain). */
function writeText(write: INameWrite): string {
  return `${write.name} ${write.kind}${write.uncertain ? '?' : ''}`;
}

export function reads(source: string): readonly string[] {
  return analyzePython(source).reads;
}

export function writes(source: string): string[] {
  return analyzePython(source).writes.map(writeText);
}

/** Reads and writes together, for the many cases that state both. */
export function effects(source: string): {
  reads: readonly string[];
  writes: string[];
} {
  const analysis = analyzePython(source);
  return { reads: analysis.reads, writes: analysis.writes.map(writeText) };
}

/** A function's effects, its writes in the compact form. */
export function functionNamed(
  source: string,
  name: string
): Omit<IFunctionEffects, 'writes'> & { writes: string[] } {
  const found = analyzePython(source).functions.find(f => f.name === name);
  if (!found) {
    throw new Error(`no function ${name} in the analysis`);
  }
  return { ...found, writes: found.writes.map(writeText) };
}

/** `path mode via` for each file reference. */
export function files(source: string): string[] {
  return analyzePython(source).files.map(
    file => `${file.path} ${file.mode} ${file.via}`
  );
}

export function analysis(source: string): ICellAnalysis {
  return analyzePython(source);
}
