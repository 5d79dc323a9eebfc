/**
 * One kernel session's global namespace, as the lineage graph replays it:
 * which version each name is bound to, and which names may share one
 * object. A restart empties it (a new session starts with a new one).
 *
 * Aliasing is tracked conservatively: a name assigned from an expression
 * that reads other globals (`b = a`, `opt = SGD(model.parameters())`) may
 * hold, or hold a reference into, their objects, so an in-place change
 * through any of them is a change of all (`opt.step()` changes `model`).
 * That over-approximates (`n = len(xs)` joins `n` to `xs`) at the cost of
 * precision only when one of them is later mutated in place; missing a
 * real alias would lose a dependency, which replay cannot afford.
 */

import type { IVariableVersion } from './versions.js';

export class SessionNamespace {
  private readonly _bound = new Map<string, IVariableVersion>();
  /** Name → object id; ids are joined by a union-find over `_parent`. */
  private readonly _objectOf = new Map<string, number>();
  private readonly _parent: number[] = [];
  /** The latest `import *` or `%run`: it may have bound any name. */
  wildcard: IVariableVersion | undefined;

  lookup(name: string): IVariableVersion | undefined {
    return this._bound.get(name);
  }

  /**
   * Binds `name` to a new object, or to the joined objects of `sources`
   * (the globals its value was computed from).
   */
  bind(
    name: string,
    version: IVariableVersion,
    sources: readonly string[]
  ): void {
    let object: number | undefined;
    for (const source of sources) {
      const other = this._objectOf.get(source);
      if (other === undefined || source === name) {
        continue;
      }
      object =
        object === undefined ? this._root(other) : this._join(object, other);
    }
    this._objectOf.set(name, object ?? this._newObject());
    this._bound.set(name, version);
  }

  /** Records a new version of a name whose object changed in place. */
  replace(name: string, version: IVariableVersion): void {
    if (!this._objectOf.has(name)) {
      this._objectOf.set(name, this._newObject());
    }
    this._bound.set(name, version);
  }

  delete(name: string): void {
    this._bound.delete(name);
    this._objectOf.delete(name);
  }

  /** Every bound name that may share `name`'s object, `name` first. */
  aliasesOf(name: string): string[] {
    const object = this._objectOf.get(name);
    if (object === undefined) {
      return [name];
    }
    const root = this._root(object);
    const names = [name];
    for (const [other, otherObject] of this._objectOf) {
      if (other !== name && this._root(otherObject) === root) {
        names.push(other);
      }
    }
    return names;
  }

  private _newObject(): number {
    this._parent.push(this._parent.length);
    return this._parent.length - 1;
  }

  private _root(object: number): number {
    let root = object;
    while (this._parent[root] !== root) {
      root = this._parent[root];
    }
    // Path compression keeps later lookups flat.
    let node = object;
    while (this._parent[node] !== root) {
      const next = this._parent[node];
      this._parent[node] = root;
      node = next;
    }
    return root;
  }

  private _join(a: number, b: number): number {
    const rootA = this._root(a);
    const rootB = this._root(b);
    if (rootA !== rootB) {
      this._parent[rootB] = rootA;
    }
    return rootA;
  }
}
