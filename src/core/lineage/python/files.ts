/**
 * File references of one call, from what the analysis knows of its
 * arguments: the tables of `library-files.ts` applied to the strings the
 * arguments certainly hold. An argument whose value is not known (an
 * f-string, a parameter, a computed path) names no file.
 */
import { GLOBAL_PATH_MARK } from '../cell-analysis.js';
import type { IFileReference } from '../cell-analysis.js';
import {
  accessOfMode,
  FILE_METHODS,
  fileFunction,
  PATH_METHODS,
  type FileAccess,
  type IArgumentSlot,
  type IPathArgument
} from './library-files.js';

/** An argument looked up by position or keyword: absent, or the string it certainly holds (undefined when not known). */
export type ArgumentLookup =
  | { readonly given: false }
  | { readonly given: true; readonly value: string | undefined };

/**
 * The arguments of a call, looked up by slot. Lazy on the walker's side:
 * the values are worked out only for calls a table names.
 */
export interface ICallArguments {
  lookup(slot: IArgumentSlot): ArgumentLookup;
}

function accessOf(
  access: FileAccess,
  args: ICallArguments
): { readonly read: boolean; readonly write: boolean } {
  if (access.kind === 'fixed') {
    return access;
  }
  const mode = args.lookup(access.mode);
  if (!mode.given) {
    return accessOfMode(access.defaultMode);
  }
  // A mode the analysis cannot read (or held by another cell's global)
  // may be anything: count both (recall).
  return mode.value === undefined || mode.value.includes(GLOBAL_PATH_MARK)
    ? { read: true, write: true }
    : accessOfMode(mode.value);
}

function references(
  path: string,
  access: { readonly read: boolean; readonly write: boolean },
  via: string
): IFileReference[] {
  const found: IFileReference[] = [];
  if (access.read) {
    found.push({ path, mode: 'read', via });
  }
  if (access.write) {
    found.push({ path, mode: 'write', via });
  }
  return found;
}

function fromSpecs(
  specs: readonly IPathArgument[],
  args: ICallArguments,
  via: string
): IFileReference[] {
  const found: IFileReference[] = [];
  for (const spec of specs) {
    const path = args.lookup(spec.path);
    if (path.given && path.value !== undefined && path.value !== '') {
      found.push(...references(path.value, accessOf(spec.access, args), via));
    }
  }
  return found;
}

/** `open('x', 'w')`, `pandas.read_csv('x')`, `torch.save(m, 'x')`, by qualified name. */
export function filesOfFunctionCall(
  qualifiedName: string,
  args: ICallArguments
): IFileReference[] {
  const specs = fileFunction(qualifiedName);
  return specs ? fromSpecs(specs, args, qualifiedName) : [];
}

/** `df.to_csv('x')`, `fig.savefig('x')`: methods of any object. */
export function filesOfMethodCall(
  method: string,
  args: ICallArguments
): IFileReference[] {
  const specs = FILE_METHODS.get(method);
  return specs ? fromSpecs(specs, args, `.${method}`) : [];
}

/** `Path('x').read_text()`: a method of a path the analysis knows. */
export function filesOfPathMethodCall(
  path: string,
  method: string,
  args: ICallArguments
): IFileReference[] {
  const access = PATH_METHODS.get(method);
  return access && path !== ''
    ? references(path, accessOf(access, args), `pathlib.Path.${method}`)
    : [];
}
