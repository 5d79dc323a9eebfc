/**
 * What IPython syntax in a cell does besides the Python it stands for: the
 * magics used, the files they name, the names they bind that cannot be
 * listed. Collected while the cell is translated to Python.
 */
import type { IFileReference, IWildcardBinding } from '../cell-analysis.js';

export class MagicEffects {
  private readonly _magics = new Set<string>();
  readonly files: IFileReference[] = [];
  readonly wildcards: IWildcardBinding[] = [];

  get magics(): string[] {
    return [...this._magics];
  }

  magic(name: string): void {
    this._magics.add(name);
  }

  file(reference: IFileReference): void {
    this.files.push(reference);
  }

  wildcard(binding: IWildcardBinding): void {
    this.wildcards.push(binding);
  }

  /** Takes in what another collector found (a cell body kept after the fact). */
  merge(other: MagicEffects): void {
    other._magics.forEach(name => this._magics.add(name));
    this.files.push(...other.files);
    this.wildcards.push(...other.wildcards);
  }
}

/** Splits magic arguments into words, honouring quotes (`%run "my script.py" -x`). */
export function magicWords(args: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(args); match; match = pattern.exec(args)) {
    words.push(match[1] ?? match[2] ?? match[3]);
  }
  return words;
}

/** True when IPython would expand the word (`$x`, `{x}`), so its value is unknown. */
export function isExpanded(word: string): boolean {
  return /[$`{}]/.test(word);
}

/**
 * Leading options of a magic's arguments and the text after them:
 * `-n 10 -r3 -o f(x)` with value options {-n, -r} → options {-n: 10,
 * -r: 3, -o: ''} and rest `f(x)`.
 */
export function leadingOptions(
  args: string,
  valueOptions: ReadonlySet<string>
): { readonly options: ReadonlyMap<string, string>; readonly rest: string } {
  const options = new Map<string, string>();
  let rest = args.trimStart();
  for (;;) {
    const match = /^(--?[\w-]+)(=\S*)?(?:\s+|$)/.exec(rest);
    if (!match || rest.startsWith('- ')) {
      break;
    }
    const flag = match[1];
    rest = rest.slice(match[0].length);
    const attached = /^(-\w)(\S+)$/.exec(flag);
    if (match[2]) {
      options.set(flag, match[2].slice(1));
    } else if (valueOptions.has(flag)) {
      const value = /^(\S+)\s*/.exec(rest);
      options.set(flag, value ? value[1] : '');
      rest = value ? rest.slice(value[0].length) : rest;
    } else if (attached && valueOptions.has(attached[1])) {
      options.set(attached[1], attached[2]);
    } else {
      options.set(flag, '');
    }
  }
  return { options, rest: rest.trim() };
}
