/**
 * The uses recorded in deferred code (a function, lambda or comprehension
 * and what is nested in it), resolved when its Unit closes and every local
 * is known: globals go to the function's effects (or to the cell's, for
 * code that runs now); parameters changed in place become mutated
 * parameters; locals drop out.
 */
import type { CellEffects } from './cell-effects.js';
import { callSiteOf, type ArgumentRef } from './effects.js';
import { resolveDeferred, type Scope, type Unit } from './scope.js';

export function resolveUnit(unit: Unit, cell: CellEffects): void {
  const owner = unit.owner;
  const effects = owner ?? cell;
  /** The position of a parameter of the unit's function, for a name local to `scope`. */
  const paramOf = (
    name: string,
    scope: Scope | undefined
  ): number | undefined => (owner ? scope?.params?.get(name) : undefined);
  for (const use of unit.uses) {
    if (use.kind === 'call') {
      if (resolveDeferred(use.callee, use.scope)) {
        continue;
      }
      const ref = (name: string | null): ArgumentRef => {
        const local = name === null ? null : resolveDeferred(name, use.scope);
        if (name === null || local === null) {
          return null;
        }
        const param = paramOf(name, local);
        return local === undefined
          ? { global: name }
          : param === undefined
            ? null
            : { param };
      };
      const draft = {
        callee: use.callee,
        args: use.args.map(ref),
        keywords: use.keywords.map(({ name, value }) => ({
          name,
          value: ref(value)
        })),
        at: use.at
      };
      if (owner) {
        owner.call(draft);
      } else {
        cell.call(callSiteOf(draft), use.at);
      }
      continue;
    }
    const local = resolveDeferred(use.name, use.scope);
    if (!local) {
      if (use.kind === 'read') {
        effects.read(use.name, use.at);
      } else {
        effects.mutate(use.name, use.certain, use.at);
      }
      continue;
    }
    // A parameter rebound in its own function before the change no longer holds the caller's object.
    const param = paramOf(use.name, local);
    const rebound = local === use.scope && use.kind === 'mutate' && use.rebound;
    if (use.kind === 'mutate' && param !== undefined && !rebound) {
      owner?.mutatedParams.add(param);
    }
  }
}
